package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readmeQuickStart returns the console lines of README's quick start: the
// first code block after "Try:".
func readmeQuickStart(t *testing.T) []string {
	t.Helper()
	return readmeBlock(t, "Try:")
}

// readmeBlock returns the lines of README's first code block after a line
// ending with intro.
func readmeBlock(t *testing.T, intro string) []string {
	t.Helper()
	f, err := os.Open("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	seen, in := false, false
	for sc := bufio.NewScanner(f); sc.Scan(); {
		l := sc.Text()
		switch {
		case !seen:
			seen = strings.HasSuffix(l, intro)
		case l == "```" && !in:
			in = true
		case l == "```":
			return lines
		case in:
			lines = append(lines, l)
		}
	}
	t.Fatalf("README has no code block after %q", intro)
	return nil
}

// A new user following the quick start, with no account, sees texts
// delivered, a failure explained by its code and a chart.
func TestReadmeQuickStartWorksAsWritten(t *testing.T) {
	lines := readmeQuickStart(t)
	if len(lines) < 5 || lines[len(lines)-1] != "/sms stats 1" {
		t.Fatalf("quick start %q; want it to end with /sms stats 1", lines)
	}
	db := filepath.Join(t.TempDir(), "smsbot.db")
	p := startConsole(t, "console", db, childEnv(), simDeadline)
	for _, l := range lines[:len(lines)-1] {
		p.send(l + "\n")
	}
	_, i := p.waitLine("the final report", 0, summaryRe.MatchString)
	c, at := statsUntilReceipts(p, "1", i+1)
	if c.delivered == 0 || c.undelivered == 0 {
		t.Errorf("quick start stats: %+v; want texts delivered and one undelivered", c)
	}
	_, _ = p.waitLine("the failure explained", at, func(l string) bool {
		return strings.Contains(l, "30003 unreachable: phone off or out of coverage")
	})
	p.endInput()
	checkChart(t, filepath.Join(filepath.Dir(db), "broadcast-1.png"))
}
