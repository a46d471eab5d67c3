package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// simDeadline is a failsafe for each simulated-carrier scenario, not a pace.
const simDeadline = 90 * time.Second

// textsRe reads the Texts line of /sms stats <id>.
var textsRe = regexp.MustCompile(`(\d+) sent: (\d+) delivered \([0-9.]+%\), (\d+) awaiting a receipt, (\d+) undelivered · (\d+) failed`)

// textCounts are the counts of one Texts line of /sms stats <id>.
type textCounts struct{ sent, delivered, awaiting, undelivered, failed int }

// statsUntilReceipts types /sms stats id until its Texts line shows no
// text awaiting a receipt (each time after the previous answer), and
// returns the counts and the index of that line. The simulated carrier's
// receipts come a few seconds after each text: the loop ends once the last
// one is in, or at p's deadline.
func statsUntilReceipts(p *consoleProc, id string, from int) (textCounts, int) {
	p.t.Helper()
	for {
		p.send("/sms stats " + id + "\n")
		l, i := p.waitLine("the Texts line of /sms stats "+id, from, textsRe.MatchString)
		m := textsRe.FindStringSubmatch(l.text)
		n := func(k int) int { v, _ := strconv.Atoi(m[k]); return v }
		c := textCounts{sent: n(1), delivered: n(2), awaiting: n(3), undelivered: n(4), failed: n(5)}
		if c.awaiting == 0 {
			return c, i
		}
		from = i + 1
	}
}

func TestConsoleSimDeliversReceipts(t *testing.T) {
	smsbotBinary(t) // built from the module's directory
	db := filepath.Join(t.TempDir(), "smsbot.db")
	p := startConsole(t, "console", db, childEnv(), simDeadline)
	script, contacts := sendScript([]string{"+15005550006"}, 20, 6, "Doors open at 7pm")
	p.send(script)
	_, i := p.waitLine("the final report", 0, summaryRe.MatchString)
	c, _ := statsUntilReceipts(p, "1", i+1)
	if c.sent != len(contacts) || c.delivered != len(contacts) || c.undelivered != 0 || c.failed != 0 {
		t.Errorf("stats: %+v, want all %d delivered", c, len(contacts))
	}
	p.endInput()
	if !strings.Contains(p.transcript(), "broadcast-1.png") {
		t.Errorf("no chart shown")
	}
}

func TestConsoleSimFailuresCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "smsbot.db")
	p := startConsole(t, "console", db, childEnv("SMSBOT_SIM_FAILURES=30003:2%"), simDeadline)
	p.send("/sms sim failures\n")
	p.waitLine("the setting from SMSBOT_SIM_FAILURES", 0, func(l string) bool { return strings.Contains(l, "30003:2%") })
	p.send("/sms sim failures 21610:two%\n")
	_, i := p.waitLine("the refusal", 0, func(l string) bool { return strings.Contains(l, `"21610:two%" is not a share like 2%`) })
	p.send("/sms sim failures 21610:100%\n")
	_, i = p.waitLine("the new setting", i, func(l string) bool {
		return strings.Contains(l, "21610 the recipient opted out (replied STOP): 100% of texts, refused at the send")
	})
	script, contacts := sendScript([]string{"+15005550006"}, 20, 3, "Doors open at 7pm")
	p.send(script)
	l, i := p.waitLine("the final report", i, summaryRe.MatchString)
	if want := fmt.Sprintf("Sent 0, failed %d, skipped 0 of %d", len(contacts), len(contacts)); !strings.HasPrefix(l.text, want) {
		t.Errorf("final report %q, want %q: every text refused with 21610", l.text, want)
	}
	p.send("/sms sim failures off\n")
	p.waitLine("the setting turned off", i, func(l string) bool { return strings.Contains(l, "Off: every simulated text is delivered") })
	p.endInput()
}

func TestConsoleSimRecipientsTextStop(t *testing.T) {
	db := filepath.Join(t.TempDir(), "smsbot.db")
	p := startConsole(t, "console", db, childEnv("SMSBOT_SIM_FAILURES=stop:100%"), simDeadline)
	script, contacts := sendScript([]string{"+15005550006"}, 20, 3, "Doors open at 7pm")
	p.send(script)
	for _, c := range contacts { // relayed to staff, each once
		p.waitLine("the STOP of "+c, 0, func(l string) bool { return strings.Contains(l, c+" texted STOP: opted out") })
	}
	_, i := p.waitLine("the final report", 0, summaryRe.MatchString)
	p.send("/sms send crew Doors open at 8pm\n")
	p.waitLine("the refusal to text opted-out contacts", i, func(l string) bool {
		return strings.Contains(l, `list "crew" has nobody to text (3 members, 3 opted out`)
	})
	p.send("/sms stats 1\n")
	p.waitLine("the opt-outs in /sms stats 1", i, func(l string) bool { return strings.Contains(l, "3 replies, 3 opted out") })
	p.endInput()
	for _, c := range contacts {
		if n := p.count(func(l string) bool { return strings.Contains(l, c+" texted STOP") }); n != 1 {
			t.Errorf("%s texted STOP %d times, want once", c, n)
		}
	}
}

// A piped script ends right after its send: the console waits for the
// simulated carrier's last receipts before it exits, so the next start's
// stats find every text delivered, none awaiting a receipt.
func TestConsolePipedScriptWaitsForReceipts(t *testing.T) {
	db := filepath.Join(t.TempDir(), "smsbot.db")
	p := startConsole(t, "first", db, childEnv(), simDeadline)
	script, contacts := sendScript([]string{"+15005550006"}, 20, 6, "Doors open at 7pm")
	p.send(script)
	p.endInput()
	if !strings.Contains(p.transcript(), "Waiting a few seconds for the simulated carrier's last receipts") {
		t.Errorf("the console did not say it waits for receipts:\n%s", p.transcript())
	}
	q := startConsole(t, "second", db, childEnv(), simDeadline)
	q.send("/sms stats 1\n")
	l, _ := q.waitLine("the Texts line of /sms stats 1", 0, textsRe.MatchString)
	m := textsRe.FindStringSubmatch(l.text)
	if m[1] != fmt.Sprint(len(contacts)) || m[2] != fmt.Sprint(len(contacts)) || m[3] != "0" {
		t.Errorf("after the piped script: %q; want all %d delivered, none awaiting a receipt", l.text, len(contacts))
	}
	q.endInput()
}
