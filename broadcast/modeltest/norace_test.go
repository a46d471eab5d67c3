//go:build !race

package modeltest_test

const raceEnabled = false
