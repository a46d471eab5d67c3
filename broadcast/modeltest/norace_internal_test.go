//go:build !race

package modeltest

// raceBuilt is true under the race detector.
const raceBuilt = false
