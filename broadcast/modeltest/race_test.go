//go:build race

package modeltest_test

const raceEnabled = true
