package bottest

import (
	"os"
	"path/filepath"
	"testing"
)

// Fixture reads testdata/<path> at the module's root: the recorded
// payloads (testdata/slack, testdata/discord) and contact exports
// (testdata/csv) that the tests of several packages share. Adapter tests
// run in bot/<adapter>, two levels below the root.
func Fixture(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", filepath.FromSlash(path)))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return b
}
