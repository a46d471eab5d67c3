package discord_test

import (
	"os"
	"path/filepath"
	"testing"
)

// fixture reads the recorded Discord payload testdata/discord/<name> at the
// module's root (see the README there), which the tests of every package
// share.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "discord", name))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return b
}

// crewCSV is testdata/csv/crew.csv, the list the import scenarios upload:
// two contacts, one too-short number and a team merge field.
func crewCSV(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "csv", "crew.csv"))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return string(b)
}
