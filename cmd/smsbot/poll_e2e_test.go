//go:build unix

package main

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"smsbot/broadcast/twilio/twiliotest"
)

// The poll's setting: one sender, six guests, webhooks at a public URL.
const (
	pollSecret  = "poll-signing-secret"
	pollPublic  = "https://sms.example.org"
	pollSender  = "+12065550101"
	pollGuests  = 6
	pollConfirm = "Got it: {answer}. Reply again to change."
	pollAuto    = "The team will answer soon."
	pollWait    = 60 * time.Second // a failsafe for every wait, not a pace
)

// pollWorld is one `smsbot serve` on SQLite with the Twilio and Slack
// fakes, restarted on the same database when the test asks.
type pollWorld struct {
	t        *testing.T
	dir, db  string
	fake     *twiliotest.Server
	slack    *slackAPI
	slackURL string
	env      []string
	serve    *serveProc
	guests   []string
	sids     int // webhooks sent, for their MessageSids
}

func newPollWorld(t *testing.T) *pollWorld {
	t.Helper()
	w := &pollWorld{t: t, dir: t.TempDir()}
	w.db = filepath.Join(w.dir, "smsbot.db")
	w.fake = twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(w.fake.Close)
	w.slack = newSlackAPI()
	srv := httptest.NewServer(w.slack)
	t.Cleanup(srv.Close)
	w.slackURL = srv.URL
	bin := smsbotBinary(t) // built before the failsafe starts
	ctx, cancel := context.WithTimeout(context.Background(), pollWait)
	defer cancel()
	console := exec.CommandContext(ctx, bin, "console", "-db", w.db)
	console.Dir, console.Env = w.dir, childEnv()
	console.Stdin = strings.NewReader("/sms numbers add " + pollSender + " 10\n")
	if out, err := console.CombinedOutput(); err != nil {
		t.Fatalf("adding the sender: %v\n%s", err, out)
	}
	csv := "name,phone\n"
	for i := range pollGuests {
		w.guests = append(w.guests, fmt.Sprintf("+1425555%04d", i+1))
		csv += fmt.Sprintf("Guest %d,%s\n", i+1, w.guests[i])
	}
	path := filepath.Join(w.dir, "crew.csv")
	if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	imp := exec.CommandContext(ctx, bin, "import", "-db", w.db, "-list", "crew", path)
	imp.Dir, imp.Env = w.dir, childEnv()
	if out, err := imp.CombinedOutput(); err != nil || !strings.Contains(string(out), fmt.Sprintf("%d new", pollGuests)) {
		t.Fatalf("importing the guests: %v\n%s", err, out)
	}
	w.env = childEnv("SMSBOT_DB="+w.db,
		"TWILIO_ACCOUNT_SID="+w.fake.AccountSID(), "TWILIO_AUTH_TOKEN="+w.fake.AuthToken(), "TWILIO_API_URL="+w.fake.URL(),
		"SMSBOT_PUBLIC_URL="+pollPublic, "SMSBOT_AUTO_REPLY="+pollAuto,
		"SLACK_BOT_TOKEN=xoxb-poll", "SLACK_SIGNING_SECRET="+pollSecret, "SLACK_API_URL="+w.slackURL+"/api/",
		"SMSBOT_ADMINS="+foAdmin, "SLACK_STAFF_CHANNEL="+foChannel)
	return w
}

// start starts serve (again) on the world's database.
func (w *pollWorld) start(name string) {
	w.t.Helper()
	w.serve = startServeProc(w.t, name, w.dir, w.env, pollWait)
}

// command runs `/sms text` and presses the Approve button of the preview
// it posts, which must contain want. It returns the preview's ts.
func (w *pollWorld) command(text, want string) string {
	w.t.Helper()
	before := w.slack.snapshot()
	slashCommand(w.t, w.serve.base, pollSecret, text, w.slackURL+"/response/command")
	preview := w.slack.waitCall(w.t, "preview of "+text, pollWait, func(s slackCall) bool {
		return s.method == "chat.postMessage" && approveAction.MatchString(s.blocks) &&
			!slices.ContainsFunc(before, func(b slackCall) bool { return b.ts == s.ts })
	})
	if !strings.Contains(preview.text+preview.blocks, want) {
		w.t.Fatalf("preview of %q: %q, want %q in it", text, preview.text, want)
	}
	clickButton(w.t, w.serve.base, pollSecret, foChannel, preview.ts, approveAction.FindStringSubmatch(preview.blocks)[1],
		w.slackURL+"/response/click")
	return preview.ts
}

// waitTexts waits until Twilio has stored n outbound texts in all.
func (w *pollWorld) waitTexts(n int) []twiliotest.Message {
	w.t.Helper()
	timer := time.NewTimer(pollWait)
	defer timer.Stop()
	for len(w.fake.Outbound()) < n {
		select {
		case <-w.fake.Created():
		case <-w.serve.exited:
			w.t.Fatalf("serve exited (%v) with %d texts stored, want %d", w.serve.err, len(w.fake.Outbound()), n)
		case <-timer.C:
			w.t.Fatalf("Twilio has %d texts, want %d", len(w.fake.Outbound()), n)
		}
	}
	return w.fake.Outbound()
}

// sid returns a new MessageSid.
func (w *pollWorld) sid() string {
	w.sids++
	return fmt.Sprintf("SM%032x", 0xa0000+w.sids)
}

// text posts guest's text to /twilio/inbound as Twilio does (the
// recorded webhook's fields, signed), under sid, with a
// wrong signature if forged. It returns the answer's status and the
// TwiML reply's text ("" for an empty <Response/>).
func (w *pollWorld) text(guest int, body, sid string, forged bool) (int, string) {
	w.t.Helper()
	raw, err := twiliotest.Fixture("webhooks/incoming_sms.txt")
	if err != nil {
		w.t.Fatal(err)
	}
	form, err := url.ParseQuery(strings.TrimSpace(string(raw)))
	if err != nil {
		w.t.Fatal(err)
	}
	form.Set("From", w.guests[guest])
	form.Set("To", pollSender)
	form.Set("Body", body)
	form.Set("AccountSid", w.fake.AccountSID())
	for _, k := range []string{"MessageSid", "SmsMessageSid", "SmsSid"} {
		form.Set(k, sid)
	}
	token := w.fake.AuthToken()
	if forged {
		token += "x"
	}
	req, err := http.NewRequest(http.MethodPost, w.serve.base+"/twilio/inbound", strings.NewReader(form.Encode()))
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", twilioSignature(token, pollPublic+"/twilio/inbound", form))
	resp, err := (&http.Client{Timeout: pollWait}).Do(req)
	if err != nil {
		w.t.Fatalf("webhook %q: %v", body, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp.StatusCode, string(answer)
	}
	var doc struct {
		XMLName  xml.Name `xml:"Response"`
		Messages []string `xml:"Message"`
	}
	if err := xml.Unmarshal(answer, &doc); err != nil || len(doc.Messages) > 1 {
		w.t.Fatalf("webhook %q answered %q, want TwiML with at most one <Message> (%v)", body, answer, err)
	}
	return resp.StatusCode, strings.Join(doc.Messages, "")
}

// tallyCounts reads a tally's counts per option from its text
// ("`1) 5 pm shuttle ███░░ ` 2 · 40%").
var tallyCounts = regexp.MustCompile("(?m)^`(\\d)\\) [^`]*` (\\d+) ·")

func counts(text string) []int {
	var c []int
	for _, m := range tallyCounts.FindAllStringSubmatch(text, -1) {
		n, _ := strconv.Atoi(m[2])
		c = append(c, n)
	}
	return c
}

// waitTally waits for the edit of the tally message ts that shows want
// and "answered of 6", and returns it.
func (w *pollWorld) waitTally(ts string, want []int, answered int) slackCall {
	w.t.Helper()
	field := fmt.Sprintf("%d of %d", answered, pollGuests)
	return w.slack.waitCall(w.t, fmt.Sprintf("tally edit with %v, %s", want, field), pollWait, func(s slackCall) bool {
		return s.method == "chat.update" && s.ts == ts && slices.Equal(counts(s.text), want) && strings.Contains(s.blocks, field)
	})
}

// TestPollEndToEnd runs a poll through the built binary: `smsbot serve`
// on SQLite, twilio-go against the Twilio fake, Slack's fake, and signed
// webhooks as Twilio posts them. Answers by number, with noise and by
// label are counted and confirmed in the TwiML reply; a change of answer
// replaces the first; an unclear text is relayed as not an answer; STOP,
// a replayed webhook and a forged one count nothing. The tally is one
// message edited in place, also by the serve that replaces the first one
// mid-poll, and the follow-up to poll:1=2 texts exactly those who
// answered 2.
func TestPollEndToEnd(t *testing.T) {
	w := newPollWorld(t)
	w.start("serve1")
	w.command(`poll crew Which shuttle? | 5 pm shuttle | 7 pm shuttle --confirm "`+pollConfirm+`"`, "Which shuttle?")
	for _, m := range w.waitTexts(pollGuests) {
		if m.From != pollSender || !strings.Contains(m.Body, "1) 5 pm shuttle") || !strings.Contains(m.Body, "2) 7 pm shuttle") {
			t.Errorf("poll text %s → %s: %q, want the question with its options numbered", m.From, m.To, m.Body)
		}
	}
	isTally := func(s slackCall) bool { return strings.Contains(s.text, "Poll #1 to crew: Which shuttle?") }
	tally := w.slack.waitCall(t, "the tally", pollWait, func(s slackCall) bool {
		return s.method == "chat.postMessage" && isTally(s)
	}).ts

	confirm := func(label string) string { return strings.ReplaceAll(pollConfirm, "{answer}", label) }
	first := w.sid()
	for _, a := range []struct {
		guest     int
		body, sid string
		reply     string
	}{
		{0, "1", first, confirm("5 pm shuttle")},
		{1, "2!!", w.sid(), confirm("7 pm shuttle")},
		{2, "5pm", w.sid(), confirm("5 pm shuttle")},
		{3, "which bus is closer?", w.sid(), pollAuto}, // relayed as any text
		{0, "2", w.sid(), confirm("7 pm shuttle")},     // a change of answer
		{4, "STOP", w.sid(), ""},
		{0, "1", first, ""}, // the first webhook again: seen, not counted again
	} {
		if code, reply := w.text(a.guest, a.body, a.sid, false); code != http.StatusOK || reply != a.reply {
			t.Errorf("guest %d texts %q: %d %q, want 200 %q", a.guest, a.body, code, reply, a.reply)
		}
	}
	if code, reply := w.text(3, "1", w.sid(), true); code != http.StatusForbidden {
		t.Errorf("a forged webhook: %d %q, want 403", code, reply)
	}
	w.waitTally(tally, []int{1, 2}, 3)
	relay := w.slack.waitCall(t, "the unclear text relayed", pollWait, func(s slackCall) bool {
		return s.method == "chat.postMessage" && strings.Contains(s.text+s.blocks, "which bus is closer?")
	})
	if !strings.Contains(relay.text+relay.blocks, "not an answer to poll #1") {
		t.Errorf("the unclear text is relayed as %q %s, without \"not an answer to poll #1\"", relay.text, relay.blocks)
	}

	w.serve.terminate(pollWait)
	restarted := time.Now()
	w.start("serve2")
	if code, reply := w.text(5, "7 pm", w.sid(), false); code != http.StatusOK || reply != confirm("7 pm shuttle") {
		t.Errorf("after the restart, guest 5 texts \"7 pm\": %d %q, want 200 %q", code, reply, confirm("7 pm shuttle"))
	}
	w.waitTally(tally, []int{1, 3}, 4)

	progress := w.command("send poll:1=2 The 7 pm shuttle leaves from Gate B", "poll:1=2")
	follow := w.waitTexts(2*pollGuests - 3)[pollGuests:]
	var to []string
	for _, m := range follow {
		to = append(to, m.To)
		if m.Body != "The 7 pm shuttle leaves from Gate B" {
			t.Errorf("follow-up to %s: %q", m.To, m.Body)
		}
	}
	slices.Sort(to)
	if want := []string{w.guests[0], w.guests[1], w.guests[5]}; !slices.Equal(to, want) {
		t.Errorf("the follow-up to poll:1=2 went to %v, want those who answered 2: %v", to, want)
	}
	w.slack.waitCall(t, "the follow-up's summary", pollWait, func(s slackCall) bool {
		return s.method == "chat.update" && s.ts == progress && strings.Contains(s.text, ": finished")
	})
	w.serve.terminate(pollWait)
	if n := len(w.fake.Outbound()); n != 2*pollGuests-3 {
		t.Errorf("Twilio stored %d texts, want %d: the poll, the follow-up; confirmations go as TwiML", n, 2*pollGuests-3)
	}

	var edits []time.Time
	for _, s := range w.slack.snapshot() {
		switch {
		case s.method == "chat.update" && s.ts == tally:
			edits = append(edits, s.at)
		case isTally(s) && s.ts != tally:
			t.Errorf("a tally in a %s of %s, not an edit of %s: %q", s.method, s.ts, tally, s.text)
		}
	}
	for i := 1; i < len(edits); i++ {
		if d := edits[i].Sub(edits[i-1]); d < time.Second {
			timingFailed(t, "tally edits %d and %d came %v apart, want at most one every 2 s", i, i+1, d)
		}
	}
	if len(edits) == 0 || !edits[len(edits)-1].After(restarted) {
		t.Errorf("the tally was not edited after the restart (%d edits)", len(edits))
	}
}
