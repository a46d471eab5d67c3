package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"smsbot/broadcast/latency"
	"smsbot/broadcast/twilio/twiliotest"
)

// Removal scenarios, run through the built binary against the Twilio fake
// over HTTP: the shape of the report in issue 11 (two numbers, 60
// contacts, a number removed a few texts in), at 5 segments/s per number
// instead of 1 to keep them short.
const (
	removeRate     = 5
	removeBody     = "Doors open at 7pm"
	twilioLatency  = 150 * time.Millisecond // Twilio's usual answer time: calls are in flight at the removal
	removeDeadline = 120 * time.Second      // a failsafe for each scenario, not a pace
)

// summaryRe matches the final report line of any broadcast.
var summaryRe = regexp.MustCompile(`^Sent \d+, failed \d+, skipped \d+ of \d+ in `)

// removalWorld is a Twilio fake that answers after twilioLatency and
// records when each create request arrived, by From, plus a database.
type removalWorld struct {
	fake *twiliotest.Server
	env  []string
	db   string

	mu       sync.Mutex
	requests map[string][]time.Time // From → arrival of each create request
}

func newRemovalWorld(t *testing.T) *removalWorld {
	t.Helper()
	w := &removalWorld{requests: map[string][]time.Time{}, db: filepath.Join(t.TempDir(), "smsbot.db")}
	w.fake = twiliotest.NewServer(twiliotest.Config{
		Fault: func(r twiliotest.CreateRequest) twiliotest.Fault {
			w.mu.Lock()
			w.requests[r.From] = append(w.requests[r.From], time.Now())
			w.mu.Unlock()
			return twiliotest.FaultNone
		},
		Latency: latency.Constant(twilioLatency),
	})
	t.Cleanup(w.fake.Close)
	w.env = childEnv("TWILIO_ACCOUNT_SID="+w.fake.AccountSID(), "TWILIO_AUTH_TOKEN="+w.fake.AuthToken(),
		"TWILIO_API_URL="+w.fake.URL(), "SMSBOT_POLL_EVERY=1h")
	return w
}

// script adds the numbers and n contacts to list crew, then sends
// removeBody to crew and approves it. It returns the script and the
// contacts.
func removalScript(numbers []string, n int) (string, []string) {
	return sendScript(numbers, removeRate, n, removeBody)
}

// sendScript adds the numbers at rate and n contacts to list crew, then
// sends body to crew and approves it. It returns the script and the
// contacts.
func sendScript(numbers []string, rate, n int, body string) (string, []string) {
	var b strings.Builder
	for _, s := range numbers {
		fmt.Fprintf(&b, "/sms numbers add %s %d\n", s, rate)
	}
	var want []string
	for i := range n {
		to := fmt.Sprintf("+1425555%04d", i+1)
		want = append(want, to)
		fmt.Fprintf(&b, "/sms add crew %s\n", to)
	}
	fmt.Fprintf(&b, "/sms send crew %s\n/click approve:1\n", body)
	return b.String(), want
}

// remove types /sms numbers remove addr and returns when the console
// printed its answer.
func remove(p *consoleProc, addr string) time.Time {
	p.t.Helper()
	p.send("/sms numbers remove " + addr + "\n")
	answer, _ := p.waitLine("the answer to the removal of "+addr, 0, func(l string) bool {
		return strings.HasPrefix(l, "Removed "+addr+".")
	})
	return answer.at
}

// checkSilentAfter checks that no create request from addr reached the
// fake, and no text from addr was stored, after the console answered
// its removal at answered. (Lines are stamped when the test reads them,
// a little after the console wrote them: a send in that gap would slip
// through, not fail the check wrongly.)
func (w *removalWorld) checkSilentAfter(t *testing.T, addr string, answered time.Time) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, at := range w.requests[addr] {
		if at.After(answered) {
			t.Errorf("a create request from removed %s arrived %v after the console answered the removal", addr, at.Sub(answered))
		}
	}
	for _, m := range w.fake.Outbound() {
		if m.From == addr && m.DateCreated.After(answered) {
			t.Errorf("Twilio stored a text from removed %s to %s %v after the console answered the removal", addr, m.To, m.DateCreated.Sub(answered))
		}
	}
}

// checkOneSummary checks that the console printed exactly one final
// report, and that it is want.
func checkOneSummary(t *testing.T, p *consoleProc, want string) {
	t.Helper()
	if n := p.count(summaryRe.MatchString); n != 1 {
		t.Errorf("%s printed %d final reports, want 1", p.name, n)
	}
	if n := p.count(func(l string) bool { return strings.HasPrefix(l, want) }); n != 1 {
		t.Errorf("%s printed %q %d times, want once", p.name, want, n)
	}
}

func from(addr string) func(twiliotest.Message) bool {
	return func(m twiliotest.Message) bool { return m.From == addr }
}

// TestRemoveNumberMidBroadcast removes one of two numbers a few texts
// into a broadcast to 60 contacts. The broadcast finishes with one
// report, "Sent 60, failed 0, skipped 0 of 60", every recipient has
// exactly one text, the removed number sends nothing after the console
// answered, and the console exits at the end of input.
func TestRemoveNumberMidBroadcast(t *testing.T) {
	if testing.Short() {
		t.Skip("runs smsbot for about 12 s against a Twilio fake")
	}
	t.Parallel()
	const contacts = 60
	a, b := "+12065550001", "+12065550002"
	w := newRemovalWorld(t)
	p := startConsole(t, "console", w.db, w.env, removeDeadline)
	script, want := removalScript([]string{a, b}, contacts)
	p.send(script)

	p.waitTexts(w.fake, 1, from(a))
	p.waitTexts(w.fake, 6, nil) // a few texts went out: at 5/s each, about 0.6 s in
	answered := remove(p, a)
	fromA, atAnswer := len(filterTexts(w.fake, from(a))), len(w.fake.Outbound())
	t.Logf("removed %s after Twilio stored %d texts, %d of them from it", a, atAnswer, fromA)
	if atAnswer >= contacts {
		t.Fatalf("Twilio had %d texts when the removal was answered; want it mid-send", atAnswer)
	}

	want60 := fmt.Sprintf("Sent %d, failed 0, skipped 0 of %d in ", contacts, contacts)
	p.waitLine("the final report", 0, summaryRe.MatchString)
	p.endInput()

	checkOneSummary(t, p, want60)
	checkOnePerRecipient(t, w.fake, want, removeBody)
	w.checkSilentAfter(t, a, answered)
	if n := len(filterTexts(w.fake, from(a))); n != fromA {
		t.Errorf("removed %s has %d texts at Twilio, %d when the removal was answered", a, n, fromA)
	}
	if nb := len(filterTexts(w.fake, from(b))); nb+fromA != contacts || nb <= contacts/2 {
		t.Errorf("%s sent %d texts and removed %s %d; want %s to have taken over %s's unsent ones", b, nb, a, fromA, b, a)
	}
}

// TestRemoveLastNumberPausesUntilOneIsAdded removes the only number a few
// texts into a broadcast: the progress shows it paused with the reason.
// After a number is added and the broadcast resumed, it finishes with one
// report and exactly one text per recipient.
func TestRemoveLastNumberPausesUntilOneIsAdded(t *testing.T) {
	if testing.Short() {
		t.Skip("runs smsbot for about 12 s against a Twilio fake")
	}
	t.Parallel()
	const contacts = 60
	a, b := "+12065550001", "+12065550002"
	w, p, want, answered := removeLastMidSend(t, "console", a, contacts, 5)
	atPause := len(w.fake.Outbound())
	t.Logf("removed the last number after Twilio stored %d texts", atPause)
	if atPause >= contacts {
		t.Fatalf("Twilio had %d texts when the broadcast paused; want it mid-send", atPause)
	}

	p.send(fmt.Sprintf("/sms numbers add %s %d\n", b, removeRate))
	_, i := p.waitLine("the answer to adding "+b, 0, func(l string) bool { return strings.HasPrefix(l, "Added "+b) })
	p.send("/sms resume 1\n")
	p.waitLine("the final report", i, summaryRe.MatchString)
	p.endInput()

	checkOneSummary(t, p, fmt.Sprintf("Sent %d, failed 0, skipped 0 of %d in ", contacts, contacts))
	checkOnePerRecipient(t, w.fake, want, removeBody)
	w.checkSilentAfter(t, a, answered)
	if n := len(filterTexts(w.fake, from(b))); n != contacts-atPause {
		t.Errorf("%s sent %d texts, want the %d left at the pause", b, n, contacts-atPause)
	}
}

// TestRemoveLastNumberThenEndOfInput removes the only number mid-send and
// ends the input while the broadcast is paused for want of a number: the
// console exits rather than waiting for it. A console started later on
// the same database adds a number and resumes it, and it finishes with
// exactly one text per recipient.
func TestRemoveLastNumberThenEndOfInput(t *testing.T) {
	if testing.Short() {
		t.Skip("runs smsbot twice against a Twilio fake")
	}
	t.Parallel()
	const contacts = 20
	a, b := "+12065550001", "+12065550002"
	w, p, want, answered := removeLastMidSend(t, "run 1", a, contacts, 3)
	p.endInput() // fails the test if the console waits for the paused broadcast
	if n := p.count(summaryRe.MatchString); n != 0 {
		t.Errorf("run 1 printed %d final reports for a paused broadcast", n)
	}
	atExit := len(w.fake.Outbound())

	q := startConsole(t, "run 2", w.db, w.env, removeDeadline)
	q.send(fmt.Sprintf("/sms numbers add %s %d\n/sms resume 1\n", b, removeRate))
	q.waitLine("the final report", 0, summaryRe.MatchString)
	q.endInput()
	checkOneSummary(t, q, fmt.Sprintf("Sent %d, failed 0, skipped 0 of %d in ", contacts, contacts))
	checkOnePerRecipient(t, w.fake, want, removeBody)
	w.checkSilentAfter(t, a, answered)
	if n := len(filterTexts(w.fake, from(b))); n != contacts-atExit {
		t.Errorf("%s sent %d texts, want the %d left when run 1 exited", b, n, contacts-atExit)
	}
}

// removeLastMidSend starts a console called name against a new world,
// sends to contacts from the one number a, removes a once after texts
// went out, and returns when the progress shows the broadcast paused
// for want of a number, with the contacts and when the removal was
// answered.
func removeLastMidSend(t *testing.T, name, a string, contacts, after int) (*removalWorld, *consoleProc, []string, time.Time) {
	t.Helper()
	w := newRemovalWorld(t)
	p := startConsole(t, name, w.db, w.env, removeDeadline)
	script, want := removalScript([]string{a}, contacts)
	p.send(script)
	p.waitTexts(w.fake, after, nil)
	answered := remove(p, a)
	waitPaused(p)
	return w, p, want, answered
}

// waitPaused waits for the progress to show broadcast #1 paused by
// smsbot for want of a number, with the reason.
func waitPaused(p *consoleProc) {
	p.t.Helper()
	_, i := p.waitLine("broadcast #1 paused", 0, func(l string) bool {
		return strings.HasPrefix(l, "── Broadcast #1 to crew: paused")
	})
	const reason = "⚠️ Paused by smsbot: there is no number to send from: add one with /sms numbers add; fix it, then Resume"
	p.waitLine("the reason of the pause", i, func(l string) bool { return strings.TrimSpace(l) == reason })
}

func filterTexts(fake *twiliotest.Server, ok func(twiliotest.Message) bool) []twiliotest.Message {
	var out []twiliotest.Message
	for _, m := range fake.Outbound() {
		if ok(m) {
			out = append(out, m)
		}
	}
	return out
}
