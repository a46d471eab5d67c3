package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// consoleLog returns the console's log file beside db ("" if none).
func consoleLog(t *testing.T, db string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(filepath.Dir(db), logFileName))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

// runScript runs the console binary on db with script as its input and
// returns its stdout and stderr.
func runScript(t *testing.T, db, script string, env ...string) *output {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out := &output{name: "console"}
	cmd := exec.CommandContext(ctx, smsbotBinary(t), "console", "-db", db)
	cmd.Env = childEnv(env...)
	cmd.Stdin = strings.NewReader(script)
	cmd.Stdout, cmd.Stderr = &out.stdout, &out.stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		out.logTo(t)
		t.Fatalf("console: %v (context: %v)", err, ctx.Err())
	}
	return out
}

// The console logs to smsbot.log beside the database, named once in the
// banner, and prints no log line; SMSBOT_LOG_LEVEL still applies.
func TestConsoleLogsToFile(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "smsbot.db")
	script, _ := sendScript([]string{"+15005550006"}, 50, 3, "hello")
	out := runScript(t, db, script)
	stdout, stderr := out.stdout.String(), out.stderr.String()
	if strings.Contains(stdout, "level=") || strings.Contains(stderr, "level=") {
		t.Errorf("log lines on stdout or stderr:\n%s\n%s", stdout, stderr)
	}
	logPath := filepath.Join(dir, logFileName)
	if n := strings.Count(stdout, logPath); n != 1 {
		t.Errorf("the banner names %s %d times, want once:\n%s", logPath, n, stdout)
	}
	if !strings.Contains(stdout, "finished") {
		t.Errorf("the broadcast did not finish:\n%s", stdout)
	}
	logs := consoleLog(t, db)
	if !strings.Contains(logs, `level=INFO msg="database migrated"`) {
		t.Errorf("%s has no migration line:\n%s", logFileName, logs)
	}

	// At warn, the info lines are left out of the file too.
	db2 := filepath.Join(t.TempDir(), "smsbot.db")
	runScript(t, db2, "/sms help\n", "SMSBOT_LOG_LEVEL=warn")
	if logs := consoleLog(t, db2); strings.Contains(logs, "level=INFO") {
		t.Errorf("SMSBOT_LOG_LEVEL=warn, and the file has info lines:\n%s", logs)
	}
}

// serve keeps logging to stderr, and writes no smsbot.log.
func TestServeLogsToStderr(t *testing.T) {
	dir := t.TempDir()
	m := NewMain()
	m.Config.DB = filepath.Join(dir, "smsbot.db")
	sink := m.newLogSink(false)
	if sink.file != nil || sink.where != "stderr" {
		t.Errorf("serve logs to %s", sink.where)
	}
	if _, err := os.Stat(filepath.Join(dir, logFileName)); !os.IsNotExist(err) {
		t.Errorf("serve created %s (%v)", logFileName, err)
	}
}

// Through a pipe, the router's markdown is printed without its syntax
// and without escape sequences.
func TestConsolePlainMarkdownThroughPipe(t *testing.T) {
	out := runScript(t, filepath.Join(t.TempDir(), "smsbot.db"), "/sms help\n/sms numbers\n")
	stdout := out.stdout.String()
	if !strings.Contains(stdout, "/sms numbers add <phone|MG-SID>") {
		t.Fatalf("no help text:\n%s", stdout)
	}
	if strings.ContainsAny(stdout, "`\x1b") {
		t.Errorf("markdown syntax or an escape sequence through a pipe:\n%q", stdout)
	}
}

// With a PostgreSQL DSN, the console logs to smsbot.log in the working
// directory: a DSN has no directory, and its password must not reach the
// banner through an error about a path made of it.
func TestConsoleLogWithPostgresDSN(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	var stderr strings.Builder
	m := &Main{Config: Config{DB: "postgres://smsbot:s3cret@db.example:5432/smsbot?sslmode=disable"}, Stderr: &stderr}
	sink := m.newLogSink(true)
	defer sink.close()
	if want := filepath.Join(dir, logFileName); sink.where != want {
		t.Errorf("console logs to %q, want %q", sink.where, want)
	}
	if strings.Contains(sink.where+stderr.String(), "s3cret") {
		t.Errorf("the DSN's password is shown: %q", sink.where)
	}
}

// -h shows SMSBOT_DB as its default, and a DSN's password not at all.
func TestHelpHidesTheDSNsPassword(t *testing.T) {
	help, _, _ := runBinary(t, []string{"SMSBOT_DB=postgres://smsbot:s3cret@db.example:5432/smsbot"}, "-h")
	if strings.Contains(help, "s3cret") || !strings.Contains(help, "postgres://smsbot:xxxxx@db.example:5432/smsbot") {
		t.Errorf("-h shows SMSBOT_DB as:\n%s", help)
	}
}
