package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"smsbot/broadcast/twilio/twiliotest"
)

// consoleProc is a running `smsbot console` whose input the test types
// line by line and whose output it reads as it is printed, each line
// stamped with the time the test read it.
type consoleProc struct {
	t        *testing.T
	name     string
	cmd      *exec.Cmd
	stdin    io.WriteCloser
	stderr   bytes.Buffer // read only after exited
	deadline time.Time    // a failsafe for every wait, not a pace
	exited   chan struct{}
	err      error // Wait's result, once exited is closed

	mu    sync.Mutex
	lines []stampedLine
	more  chan struct{} // poked (never blocking) after each new line
}

// stampedLine is one line of the console's output and when it was read.
type stampedLine struct {
	text string
	at   time.Time
}

// startConsole starts `smsbot console -db db` with env. Every wait on it
// fails the test after timeout from now. At cleanup it is killed if it
// still runs, and its output is logged if the test failed.
func startConsole(t *testing.T, name, db string, env []string, timeout time.Duration) *consoleProc {
	t.Helper()
	p := &consoleProc{t: t, name: name, deadline: time.Now().Add(timeout),
		exited: make(chan struct{}), more: make(chan struct{}, 1)}
	p.cmd = exec.Command(smsbotBinary(t), "console", "-db", db)
	p.cmd.Dir = filepath.Dir(db) // charts and exports are written where it runs
	p.cmd.Env = env
	p.cmd.Stderr = &p.stderr
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, stampedLine{sc.Text(), time.Now()})
			p.mu.Unlock()
			select {
			case p.more <- struct{}{}:
			default:
			}
		}
		io.Copy(io.Discard, stdout) // a line over 1 MiB: keep the child unblocked
		p.err = p.cmd.Wait()        // after the last read, as StdoutPipe requires
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("── %s stdout ──\n%s", p.name, p.transcript())
			t.Logf("── %s stderr ──\n%s", p.name, p.stderr.String())
		}
	})
	return p
}

// send types text (one or more lines) into the console.
func (p *consoleProc) send(text string) {
	p.t.Helper()
	if _, err := io.WriteString(p.stdin, text); err != nil {
		p.t.Fatalf("%s: write %q: %v", p.name, firstLine(text), err)
	}
}

// waitLine returns the first line after index from that match accepts,
// and its index, failing the test if the console exits or the deadline
// passes first.
func (p *consoleProc) waitLine(what string, from int, match func(string) bool) (stampedLine, int) {
	p.t.Helper()
	timer := time.NewTimer(time.Until(p.deadline))
	defer timer.Stop()
	for {
		p.mu.Lock()
		lines := p.lines
		p.mu.Unlock()
		for i := from; i < len(lines); i++ {
			if match(lines[i].text) {
				return lines[i], i
			}
		}
		from = max(from, len(lines))
		select {
		case <-p.more:
		case <-p.exited:
			p.mu.Lock()
			n := len(p.lines)
			p.mu.Unlock()
			if n == len(lines) { // nothing printed after the last look
				p.t.Fatalf("%s exited (%v) before printing %s", p.name, p.err, what)
			}
		case <-timer.C:
			p.t.Fatalf("%s did not print %s in time", p.name, what)
		}
	}
}

// waitTexts waits until fake has stored at least n outbound texts for
// which ok is true (nil: all), failing the test if the console exits or
// the deadline passes first.
func (p *consoleProc) waitTexts(fake *twiliotest.Server, n int, ok func(twiliotest.Message) bool) {
	p.t.Helper()
	timer := time.NewTimer(time.Until(p.deadline))
	defer timer.Stop()
	count := func() int {
		c := 0
		for _, m := range fake.Outbound() {
			if ok == nil || ok(m) {
				c++
			}
		}
		return c
	}
	for count() < n {
		select {
		case <-fake.Created():
		case <-p.exited:
			p.t.Fatalf("%s exited (%v) when Twilio had %d texts, want %d", p.name, p.err, count(), n)
		case <-timer.C:
			p.t.Fatalf("%s: Twilio has %d texts, want %d", p.name, count(), n)
		}
	}
}

// endInput closes the console's input and waits for it to exit, failing
// the test if it does not exit 0 before the deadline.
func (p *consoleProc) endInput() {
	p.t.Helper()
	if err := p.stdin.Close(); err != nil {
		p.t.Fatalf("%s: close input: %v", p.name, err)
	}
	timer := time.NewTimer(time.Until(p.deadline))
	defer timer.Stop()
	select {
	case <-p.exited:
		if p.err != nil {
			p.t.Fatalf("%s at the end of input: %v", p.name, p.err)
		}
	case <-timer.C:
		p.t.Fatalf("%s did not exit at the end of input", p.name)
	}
}

// count returns how many lines printed so far match.
func (p *consoleProc) count(match func(string) bool) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, l := range p.lines {
		if match(l.text) {
			n++
		}
	}
	return n
}

func (p *consoleProc) transcript() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	for _, l := range p.lines {
		fmt.Fprintf(&b, "%s %s\n", l.at.Format("15:04:05.000"), l.text)
	}
	return b.String()
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
