package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportRefusesAFileOverTheLimit runs `smsbot import` on a file one
// byte over SMSBOT_MAX_IMPORT_BYTES: one line saying the size and the
// limit, a failing exit, and nothing imported; at the limit it imports.
func TestImportRefusesAFileOverTheLimit(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "smsbot.db")
	data := "name,phone\nLin,+14255559999\nAda,+14255559998\n"
	csv := filepath.Join(dir, "crew.csv")
	if err := os.WriteFile(csv, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(limit int) (string, error) {
		cmd := exec.Command(smsbotBinary(t), "import", "-db", db, "-list", "crew", csv)
		cmd.Env = childEnv("SMSBOT_MAX_IMPORT_BYTES=" + strconv.Itoa(limit))
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run(len(data) - 1)
	if err == nil || strings.Count(strings.TrimSpace(out), "\n") != 0 || !strings.Contains(out, "SMSBOT_MAX_IMPORT_BYTES") {
		t.Fatalf("import over the limit: %v\n%s\nwant one line naming SMSBOT_MAX_IMPORT_BYTES", err, out)
	}
	if out, err := run(len(data)); err != nil || !strings.Contains(out, "2 new") {
		t.Fatalf("import at the limit: %v\n%s", err, out)
	}
}
