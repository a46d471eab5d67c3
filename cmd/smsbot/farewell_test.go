package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	waitingRe = regexp.MustCompile(`(?m)^Waiting for broadcast #2 to finish( \(about \d+s\))?… press Ctrl-C to leave it queued: it resumes when smsbot runs again\.$`)
	leftRe    = regexp.MustCompile(`(?m)^Left: #1 paused \((nothing sent yet|\d+ of 30 sent); /sms resume 1 continues it\); 1 schedule pending, the next .+ \(schedules fire only while smsbot runs\)\.$`)
)

// At the end of input the console says which broadcast it waits for and
// about how long, and as it ends what is left: the paused broadcast and
// the schedule.
func TestConsoleEndOfInputSaysWhatIsLeft(t *testing.T) {
	var b strings.Builder
	b.WriteString("/sms numbers add +15005550006 20\n")
	for i := range 30 {
		fmt.Fprintf(&b, "/sms add crew +1425555%04d\n", i+1)
	}
	b.WriteString("/sms send crew First\n/click approve:1\n/sms pause 1\n") // 30 at 20/s: still sending when paused
	b.WriteString("/sms send crew Second\n/click approve:2\n")
	b.WriteString("/sms schedule tomorrow 09:00 crew Later\n/click sapprove:1\n")
	out := runScript(t, filepath.Join(t.TempDir(), "smsbot.db"), b.String()).stdout.String()
	wait := waitingRe.FindStringIndex(out)
	if wait == nil {
		t.Fatalf("no line saying what the console waits for:\n%s", out)
	}
	left := leftRe.FindStringIndex(out)
	if left == nil {
		t.Fatalf("no line saying what is left:\n%s", out)
	}
	summary := strings.Index(out, "Broadcast #2 to crew: finished")
	if !(wait[0] < summary && summary < left[0]) || !strings.HasSuffix(out, "\n") || left[1] != len(out)-1 {
		t.Errorf("want the waiting line, #2's summary, then the left line last:\n%s", out)
	}
}

// Interrupted while a broadcast sends, the console says it is left
// queued, and exits.
func TestConsoleInterruptSaysWhatIsLeft(t *testing.T) {
	p := startConsole(t, "console", filepath.Join(t.TempDir(), "smsbot.db"), childEnv(), 60*time.Second)
	script, _ := sendScript([]string{"+15005550006"}, 1, 10, "Slowly") // 10 s at 1/s
	p.send(script)
	p.waitLine("broadcast #1 sending", 0, func(l string) bool { return strings.HasPrefix(l, "── Broadcast #1 to crew: sending") })
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	p.waitLine("what is left", 0, regexp.MustCompile(`^Left: #1 queued \((nothing sent yet|\d+ of 10 sent); it resumes when smsbot runs again\)\.$`).MatchString)
	select {
	case <-p.exited:
	case <-time.After(time.Until(p.deadline)):
		t.Fatal("the console did not exit after the interrupt")
	}
	if n := p.count(func(l string) bool { return strings.HasPrefix(l, "Left:") }); n != 1 {
		t.Errorf("%d Left lines, want 1", n)
	}
	p.mu.Lock()
	last := p.lines[len(p.lines)-1].text
	p.mu.Unlock()
	if !strings.HasPrefix(last, "Left:") {
		t.Errorf("the console printed after what is left: its last line is %q", last)
	}
}
