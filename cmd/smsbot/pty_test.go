package main

import (
	"bytes"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/term"
)

// runPTY runs the console binary on db under a pseudo-terminal 100
// columns wide, types script, and returns every byte it wrote once it
// exits. The terminal is raw: no echo of what is typed and no "\n" to
// "\r\n", so that the bytes are the console's own.
func runPTY(t *testing.T, db, script string, env ...string) string {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	if _, err := term.MakeRaw(int(tty.Fd())); err != nil {
		t.Fatal(err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 100}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(smsbotBinary(t), "console", "-db", db)
	cmd.Env = childEnv(env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close() // the child's copy stays: reading ends (EIO) when it exits
	var out bytes.Buffer
	read := make(chan struct{})
	go func() { io.Copy(&out, ptmx); close(read) }()
	if _, err := io.WriteString(ptmx, script); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("console: %v", err)
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-exited
		t.Fatalf("the console did not exit; it printed:\n%q", out.String())
	}
	select {
	case <-read:
	case <-time.After(10 * time.Second):
		t.Fatal("the terminal did not close after the console exited")
	}
	return out.String()
}

// ptyScript adds one number at 20 segments/s and 60 contacts, sends them
// a text, approves it and quits: the console waits for the broadcast
// (about 3 s) and exits.
func ptyScript() string {
	script, _ := sendScript([]string{"+15005550006"}, 20, 60, "Dinner is served")
	return script + "/quit\n"
}

// On a terminal, a broadcast's progress is one line redrawn in place
// (carriage return, erase line), never ended by a line break, and the
// summary is printed once; no log line reaches the screen.
func TestConsoleProgressInPlaceOnTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 60 texts at 20/s")
	}
	out := runPTY(t, filepath.Join(t.TempDir(), "smsbot.db"), ptyScript())
	const line = "\r\x1b[2K#1 to crew "
	if n := strings.Count(out, line); n < 2 {
		t.Errorf("progress drawn %d times in place, want it redrawn (at least 2):\n%q", n, out)
	}
	for _, seg := range strings.Split(out, "\x1b[2K")[1:] {
		if !strings.HasPrefix(seg, "#1 to crew ") {
			continue
		}
		end := strings.IndexByte(seg, '\r')
		if end < 0 || strings.Contains(seg[:end], "\n") {
			t.Errorf("a progress line is not redrawn in place (a line break before the next \\r): %q", seg)
		} else if n := len([]rune(seg[:end])); n >= 100 {
			t.Errorf("a progress line of %d columns on a terminal of 100: %q", n, seg[:end])
		}
	}
	if n := strings.Count(out, "Sent 60, failed 0, skipped 0 of 60 in "); n != 1 {
		t.Errorf("the summary printed %d times, want once:\n%q", n, out)
	}
	if n := strings.Count(out, "Broadcast #1 to crew: finished"); n != 1 {
		t.Errorf("the finished block printed %d times, want once:\n%q", n, out)
	}
	if strings.Contains(out, "level=") {
		t.Errorf("a log line on the terminal:\n%q", out)
	}
	if !strings.Contains(out, "\x1b[36m/click approve:1\x1b[39m") && !strings.Contains(out, "\x1b[1m") {
		t.Errorf("no markdown rendered on the terminal:\n%q", out)
	}
}

var compactLineRe = regexp.MustCompile(`(?m)^#1 to crew [▓░]+ \d+% · `)

// Through a pipe, progress is at most 11 compact lines, then the one
// summary, without a carriage return or escape sequence.
func TestConsoleProgressThroughPipe(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 60 texts at 20/s")
	}
	out := runScript(t, filepath.Join(t.TempDir(), "smsbot.db"), ptyScript()).stdout.String()
	if n := len(compactLineRe.FindAllString(out, -1)); n < 1 || n > 11 {
		t.Errorf("%d progress lines, want 1 to 11:\n%s", n, out)
	}
	if n := strings.Count(out, "Sent 60, failed 0, skipped 0 of 60 in "); n != 1 {
		t.Errorf("the summary printed %d times, want once:\n%s", n, out)
	}
	if strings.ContainsAny(out, "\r\x1b") {
		t.Errorf("a carriage return or escape sequence through a pipe:\n%q", out)
	}
}
