package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/term"
)

// ptyConsole is the console binary running under a pseudo-terminal. The
// terminal is raw: no echo of what is typed and no "\n" to "\r\n", so
// that the bytes read are the console's own.
type ptyConsole struct {
	t      *testing.T
	ptmx   *os.File
	cmd    *exec.Cmd
	exited chan error
	read   chan struct{}

	mu      sync.Mutex
	out     bytes.Buffer
	changed chan struct{} // closed at each read, then replaced
}

// startPTY starts the console on db under a pseudo-terminal of rows ×
// cols.
func startPTY(t *testing.T, db string, rows, cols uint16, env ...string) *ptyConsole {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	if _, err := term.MakeRaw(int(tty.Fd())); err != nil {
		t.Fatal(err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: rows, Cols: cols}); err != nil {
		t.Fatal(err)
	}
	p := &ptyConsole{t: t, ptmx: ptmx, exited: make(chan error, 1), read: make(chan struct{}), changed: make(chan struct{})}
	p.cmd = exec.Command(smsbotBinary(t), "console", "-db", db)
	p.cmd.Env = childEnv(env...)
	p.cmd.Stdin, p.cmd.Stdout, p.cmd.Stderr = tty, tty, tty
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close() // the child's copy stays: reading ends (EIO) when it exits
	go func() {
		defer close(p.read)
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			close(p.changed)
			p.changed = make(chan struct{})
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() { p.exited <- p.cmd.Wait() }()
	return p
}

// typeIn types s on the terminal.
func (p *ptyConsole) typeIn(s string) {
	p.t.Helper()
	if _, err := io.WriteString(p.ptmx, s); err != nil {
		p.t.Fatal(err)
	}
}

// output is everything the console wrote so far.
func (p *ptyConsole) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// waitFor waits until ok holds for what the console wrote, and returns
// it; it fails the test after 30 s.
func (p *ptyConsole) waitFor(what string, ok func(out string) bool) string {
	p.t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		p.mu.Lock()
		out, changed := p.out.String(), p.changed
		p.mu.Unlock()
		if ok(out) {
			return out
		}
		select {
		case <-changed:
		case <-p.read:
			p.t.Fatalf("the console closed the terminal before %s:\n%q", what, out)
		case <-timeout:
			p.t.Fatalf("waited 30s for %s in vain; the console printed:\n%q", what, out)
		}
	}
}

// wait waits for the console to exit, and returns every byte it wrote.
func (p *ptyConsole) wait() string {
	p.t.Helper()
	select {
	case err := <-p.exited:
		if err != nil {
			p.t.Errorf("console: %v", err)
		}
	case <-time.After(60 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
		p.t.Fatalf("the console did not exit; it printed:\n%q", p.output())
	}
	select {
	case <-p.read:
	case <-time.After(10 * time.Second):
		p.t.Fatal("the terminal did not close after the console exited")
	}
	return p.output()
}

// runPTY runs the console binary on db under a pseudo-terminal of 40 ×
// 100, types script, and returns every byte it wrote once it exits.
func runPTY(t *testing.T, db, script string, env ...string) string {
	t.Helper()
	p := startPTY(t, db, 40, 100, env...)
	p.typeIn(script)
	return p.wait()
}

// ptyScript adds one number at 20 segments/s and 60 contacts, sends them
// a text, approves it and quits: the console waits for the broadcast
// (about 3 s) and exits.
func ptyScript() string {
	script, _ := sendScript([]string{"+15005550006"}, 20, 60, "Dinner is served")
	return script + "/quit\n"
}

// rowDrawRe is one redraw of the status row of a terminal of rows rows:
// saved cursor, the last row, the line, restored cursor.
func rowDrawRe(rows int) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf("\x1b7\x1b\\[%d;1H\x1b\\[2K([^\x1b\r\n]*)\x1b8", rows))
}

// checkStatusRow checks out, all a console wrote on a terminal of rows
// rows: its progress is drawn on the last row at least twice (each line
// narrower than 100 columns), the rows above are made a scroll region
// before, the region is reset and the row cleared after, as often as it
// was set, and nothing erases the cursor's line.
func checkStatusRow(t *testing.T, out string, rows int) {
	t.Helper()
	set := fmt.Sprintf("\x1bD\x1b7\x1b[1;%dr\x1b8\x1b[1A", rows-1)
	release := fmt.Sprintf("\x1b7\x1b[r\x1b[%d;1H\x1b[2K\x1b8", rows)
	draws := rowDrawRe(rows).FindAllStringSubmatchIndex(out, -1)
	if len(draws) < 2 {
		t.Fatalf("progress drawn %d times on the last row, want it redrawn (at least 2):\n%q", len(draws), out)
	}
	for _, d := range draws {
		line := out[d[2]:d[3]]
		if !strings.HasPrefix(line, "#1 to crew ") || len([]rune(line)) >= 100 {
			t.Errorf("the last row drawn as %q: want a progress line narrower than the terminal", line)
		}
	}
	first, last := draws[0][0], draws[len(draws)-1][1]
	if i := strings.Index(out, set); i < 0 || i > first {
		t.Errorf("the scroll region %q is not set before the first redraw (at %d):\n%q", set, first, out)
	}
	if i := strings.LastIndex(out, release); i < last {
		t.Errorf("the region is not reset (%q) after the last redraw:\n%q", release, out[max(0, len(out)-400):])
	}
	if n, m := strings.Count(out, set), strings.Count(out, release); n != m || strings.Count(out, "\x1b[1;") != n {
		t.Errorf("the region set %d times and reset %d times:\n%q", n, m, out)
	}
	if strings.Contains(out, "\r\x1b[2K") {
		t.Errorf("the cursor's line erased (\\r ESC[2K), where the operator types:\n%q", out)
	}
}

// On a terminal, a broadcast's progress is one line redrawn in place on
// the terminal's last row, kept for it by a scroll region, and the
// summary is printed once; no log line reaches the screen.
func TestConsoleProgressInPlaceOnTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 60 texts at 20/s")
	}
	out := runPTY(t, filepath.Join(t.TempDir(), "smsbot.db"), ptyScript())
	checkStatusRow(t, out, 40)
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

// An operator types a command while the progress is redrawn: while the
// command is half typed the console writes nothing but redraws of the
// last row (the line being typed is never touched), the finished command
// is answered, and the region is reset before the console exits.
func TestConsoleTypingDuringProgressOnTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 60 texts at 10/s")
	}
	p := startPTY(t, filepath.Join(t.TempDir(), "smsbot.db"), 24, 100)
	script, _ := sendScript([]string{"+15005550006"}, 10, 60, "Dinner is served")
	p.typeIn(script)
	draws := func(n int) func(string) bool {
		return func(out string) bool { return len(rowDrawRe(24).FindAllString(out, -1)) >= n }
	}
	before := p.waitFor("a progress line on the last row", draws(1))
	p.typeIn("/sms stat")
	n := len(rowDrawRe(24).FindAllString(before, -1))
	during := p.waitFor("a redraw while a command is half typed", draws(n+1))[len(before):]
	if rest := rowDrawRe(24).ReplaceAllString(during, ""); rest != "" {
		t.Errorf("while a command was half typed the console wrote %q besides redraws of the last row:\n%q", rest, during)
	}
	p.typeIn("us\n")
	p.waitFor("the answer to /sms status", func(out string) bool { return strings.Contains(out, "Recent broadcasts") })
	p.typeIn("/quit\n")
	out := p.wait()
	checkStatusRow(t, out, 24)
	if answer := out[strings.Index(out, "Recent broadcasts"):]; !strings.Contains(answer, "\n#1 crew · sending · Dinner is served · sent ") {
		t.Errorf("the answer to /sms status does not list #1 as sending:\n%q", answer)
	}
	if n := strings.Count(out, "Sent 60, failed 0, skipped 0 of 60 in "); n != 1 {
		t.Errorf("the summary printed %d times, want once:\n%q", n, out)
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

// When the terminal is resized while a broadcast sends, the console
// (told by SIGWINCH) sets the region again for the new height and draws
// the same progress line on the new last row at once, well before the
// next progress update (2 s away), and releases that row at the end.
func TestConsoleResizeOnTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 60 texts at 10/s")
	}
	p := startPTY(t, filepath.Join(t.TempDir(), "smsbot.db"), 24, 100)
	script, _ := sendScript([]string{"+15005550006"}, 10, 60, "Dinner is served")
	p.typeIn(script)
	before := p.waitFor("two progress lines on the last row", func(out string) bool { return len(rowDrawRe(24).FindAllString(out, -1)) >= 2 })
	draws := rowDrawRe(24).FindAllStringSubmatch(before, -1)
	shown := draws[len(draws)-1][1]
	if err := pty.Setsize(p.ptmx, &pty.Winsize{Rows: 30, Cols: 100}); err != nil {
		t.Fatal(err)
	}
	after := p.waitFor("a redraw on row 30", func(out string) bool { return rowDrawRe(30).MatchString(out[len(before):]) })[len(before):]
	set30 := "\x1bD\x1b7\x1b[1;29r\x1b8\x1b[1A"
	first := rowDrawRe(30).FindStringSubmatchIndex(after)
	if i := first[0] - len(set30); i < 0 || after[i:first[0]] != set30 || after[first[2]:first[3]] != shown {
		t.Errorf("after the resize: %q; want the region set for 30 rows and %q drawn again on row 30", after, shown)
	}
	p.typeIn("/quit\n")
	out := p.wait()
	checkStatusRow(t, out[strings.Index(out, set30):], 30)
}
