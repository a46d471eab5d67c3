package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportListNameIsCheckedAsInChat: smsbot import -list refuses a name
// chat commands could not address ("my crew"), in one line naming -list,
// before the database is opened; a good name imports.
func TestImportListNameIsCheckedAsInChat(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "crew.csv")
	if err := os.WriteFile(csv, []byte("name,phone\nLin,+14255559999\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(list string) (string, error) {
		var out bytes.Buffer
		m := &Main{Command: "import", List: list, Args: []string{csv}, Stdout: &out, Stderr: &out}
		m.Config.DB = filepath.Join(dir, "smsbot.db")
		m.Config.Region = "US"
		m.Config.MaxImportBytes = 1 << 20
		err := m.Run(context.Background())
		return out.String(), err
	}
	for _, bad := range []string{"my crew", "crew!", strings.Repeat("x", 65)} {
		_, err := run(bad)
		if err == nil || !strings.HasPrefix(err.Error(), "-list: ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("-list %q: %v; want one line starting -list:", bad, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "smsbot.db")); !os.IsNotExist(err) {
		t.Errorf("a refused name opened the database: %v", err)
	}
	if out, err := run("my-crew"); err != nil || !strings.Contains(out, "1 new") {
		t.Fatalf("-list my-crew: %v\n%s", err, out)
	}
}
