package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// reasonRe reads one line of the "Not delivered, by reason" field of
// /sms stats <id>: code, explanation, count, action.
var reasonRe = regexp.MustCompile(`^\s*(?:• )?(\d{5}) (.+) ×(\d+): (.+)$`)

func TestConsoleSimStatsShowDeliveredAndExplainedFailures(t *testing.T) {
	smsbotBinary(t)
	db := filepath.Join(t.TempDir(), "smsbot.db")
	p := startConsole(t, "console", db, childEnv("SMSBOT_SIM_FAILURES=30003:25%,21610:15%"), simDeadline)
	script, contacts := sendScript([]string{"+15005550006"}, 20, 12, "Doors open at 7pm")
	p.send(script)
	_, i := p.waitLine("the final report", 0, summaryRe.MatchString)
	c, at := statsUntilReceipts(p, "1", i+1)
	if c.delivered == 0 || c.undelivered+c.failed == 0 || c.delivered+c.undelivered+c.failed != len(contacts) {
		t.Fatalf("stats: %+v; want some of the %d texts delivered and some not", c, len(contacts))
	}
	p.endInput()

	// The same answer explains each failure by its code, with counts that
	// add up to the texts not delivered.
	var answer []string
	for _, l := range strings.Split(p.transcript(), "\n")[at:] {
		if strings.Contains(l, "Answers within 24 h") {
			break
		}
		answer = append(answer, l)
	}
	explained := map[string]int{}
	for _, l := range answer {
		_, text, _ := strings.Cut(l, " ") // the time the test read it
		if m := reasonRe.FindStringSubmatch(strings.TrimPrefix(strings.TrimSpace(text), "Not delivered, by reason: ")); m != nil {
			n, _ := strconv.Atoi(m[3])
			explained[m[1]] += n
		}
	}
	want := map[string]int{}
	if c.undelivered > 0 {
		want["30003"] = c.undelivered
	}
	if c.failed > 0 {
		want["21610"] = c.failed
	}
	if fmt.Sprint(explained) != fmt.Sprint(want) {
		t.Errorf("failures explained by code: %v, want %v (undelivered 30003, refused 21610), in\n%s", explained, want, strings.Join(answer, "\n"))
	}
	for code, words := range map[string]string{"30003": "unreachable: phone off or out of coverage", "21610": "the recipient opted out (replied STOP)"} {
		if want[code] > 0 && !strings.Contains(strings.Join(answer, "\n"), code+" "+words) {
			t.Errorf("%s is not explained as %q", code, words)
		}
	}
	checkChart(t, filepath.Join(filepath.Dir(db), "broadcast-1.png"))
}

// checkChart checks that the console wrote the chart as a PNG.
func checkChart(t *testing.T, name string) {
	t.Helper()
	png, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("chart: %v", err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("%s is not a PNG", name)
	}
}

// bannerCommands returns the /sms commands the banner suggests, in order,
// as written: each runs from "/sms " to the next one, a sentence's end
// (". "), the comment after it ("   (") or the end of its line.
func bannerCommands(banner []string) []string {
	var cmds []string
	for _, line := range banner {
		for {
			i := strings.Index(line, "/sms ")
			if i < 0 {
				break
			}
			line = line[i:]
			end := len(line)
			for _, stop := range []string{". ", "   (", "/sms "} {
				if j := strings.Index(line[1:], stop); j >= 0 && j+1 < end {
					end = j + 1
				}
			}
			cmds = append(cmds, strings.TrimSuffix(strings.TrimSpace(line[:end]), "."))
			line = line[end:]
		}
	}
	return cmds
}

func TestConsoleBannerSuggestionsWorkAsWritten(t *testing.T) {
	smsbotBinary(t)
	db := filepath.Join(t.TempDir(), "smsbot.db")
	p := startConsole(t, "console", db, childEnv(), simDeadline)
	_, end := p.waitLine("the banner's last suggestion", 0, func(l string) bool { return strings.Contains(l, "(delivery report and chart)") })
	var banner []string
	for _, l := range strings.Split(p.transcript(), "\n")[:end+1] {
		_, text, _ := strings.Cut(l, " ")
		banner = append(banner, text)
	}
	cmds := bannerCommands(banner)
	if len(cmds) < 6 || cmds[len(cmds)-1] != "/sms stats 1" {
		t.Fatalf("banner suggests %q; want the try-it commands ending with /sms stats 1", cmds)
	}
	from, approved := end+1, -1 // approved: where the broadcast's output starts
	for _, cmd := range cmds {
		switch {
		case cmd == "/sms stats 1":
			if approved < 0 {
				t.Fatalf("the banner suggests no /sms send before /sms stats 1: %q", cmds)
			}
			_, i := p.waitLine("the final report", approved, summaryRe.MatchString)
			c, _ := statsUntilReceipts(p, "1", i+1)
			if c.sent != 1 || c.delivered != 1 {
				t.Errorf("/sms stats 1: %+v, want the one text delivered", c)
			}
		case strings.HasPrefix(cmd, "/sms sim reply "):
			p.send(cmd + "\n")
			_, from = p.waitLine("the relayed reply", from, func(l string) bool { return strings.Contains(l, "which room?") })
		default:
			p.send(cmd + "\n")
			if strings.HasPrefix(cmd, "/sms send ") { // "then copy the /click line of the Approve button"
				l, i := p.waitLine("the Approve button", from, func(l string) bool { return strings.Contains(l, "[Approve] /click approve:") })
				_, click, _ := strings.Cut(l.text, "[Approve] ")
				p.send(strings.Fields(click)[0] + " " + strings.Fields(click)[1] + "\n")
				from, approved = i+1, i+1
			}
		}
	}
	p.endInput()
	if !strings.Contains(p.transcript(), "Chart: broadcast-1.png") {
		t.Errorf("/sms stats 1 shows no chart")
	}
	checkChart(t, filepath.Join(filepath.Dir(db), "broadcast-1.png"))
}
