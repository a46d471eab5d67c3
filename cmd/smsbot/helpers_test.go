package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
)

// binDir holds the smsbot binary that end-to-end tests run. TestMain
// creates it and removes it when every test is done.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "smsbot-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "smsbot test:", err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
	buildOut  []byte
)

// smsbotBinary builds cmd/smsbot once per test binary, the first time a
// test asks for it, and returns its path. When the tests run with -race,
// so is the binary, so that races in a child process fail the test too
// (the race detector makes it exit 66).
func smsbotBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		buildPath = filepath.Join(binDir, "smsbot")
		args := []string{"build", "-o", buildPath}
		if raceEnabled() {
			args = append(args, "-race")
		}
		args = append(args, "smsbot/cmd/smsbot")
		cmd := exec.Command("go", args...)
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build smsbot: %v\n%s", buildErr, buildOut)
	}
	return buildPath
}

// raceEnabled reports whether this test binary was built with -race.
func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// childEnv returns the test's environment without any SMSBOT_* or TWILIO_*
// variable, plus extra ("NAME=value"), so that the developer's own
// settings cannot leak into a child smsbot.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "SMSBOT_") || strings.HasPrefix(kv, "TWILIO_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// output collects a child's stdout and stderr. Read them only after the
// child's Wait has returned.
type output struct {
	name           string
	stdout, stderr bytes.Buffer
}

// logTo writes both streams to the test log.
func (o *output) logTo(t *testing.T) {
	t.Helper()
	t.Logf("── %s stdout ──\n%s", o.name, o.stdout.String())
	t.Logf("── %s stderr ──\n%s", o.name, o.stderr.String())
}
