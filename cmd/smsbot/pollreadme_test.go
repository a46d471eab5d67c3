package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A new user trying README's poll in the console sees it sent, two
// answers tallied, the unclear one relayed as not an answer, and the
// follow-up to those who answered 2 previewed with its one recipient.
func TestReadmePollWorksAsWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the binary and waits for the simulated carrier")
	}
	lines := readmeBlock(t, "try a poll:")
	approve := -1
	for i, l := range lines {
		if l == "/click approve:1" {
			approve = i
		}
	}
	if approve < 0 || !strings.HasPrefix(lines[len(lines)-1], "/sms send poll:1=2 ") {
		t.Fatalf("poll example %q; want it to approve poll 1 and end with a follow-up to poll:1=2", lines)
	}
	db := filepath.Join(t.TempDir(), "smsbot.db")
	p := startConsole(t, "console", db, childEnv(), simDeadline)
	for _, l := range lines[:approve+1] {
		p.send(l + "\n")
	}
	_, i := p.waitLine("the poll sent", 0, summaryRe.MatchString)
	for _, l := range lines[approve+1 : len(lines)-1] {
		p.send(l + "\n")
	}
	_, j := p.waitLine("the unclear text relayed as not an answer", i, func(l string) bool {
		return strings.Contains(l, "Poll: not an answer to poll #1")
	})
	counted := regexp.MustCompile(`^2\) 7 pm +█+░+ 1 · 50%$`)
	_, _ = p.waitLine("the tally of two answers", i, counted.MatchString)
	p.send(lines[len(lines)-1] + "\n")
	_, k := p.waitLine("the follow-up's preview", j, func(l string) bool {
		return strings.Contains(l, "Broadcast #2 to poll:1=2 on crew: waiting for approval")
	})
	_, _ = p.waitLine("one recipient", k, func(l string) bool { return strings.TrimSpace(l) == "Recipients: 1" })
	p.endInput()
}
