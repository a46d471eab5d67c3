package inbound_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"smsbot/broadcast/twilio/twiliotest"
	"smsbot/inbound"
)

// poison is a store that refuses the texts of some SIDs, as a bug or a
// corrupt row would, however often they come; with deadToo it refuses
// dead letters as well, like a full disk.
type poison struct {
	inbound.Store
	mu      sync.Mutex
	sids    map[string]bool
	deadToo bool
	tries   map[string]int
}

func poisoned(sids ...string) *poison {
	p := &poison{sids: map[string]bool{}, tries: map[string]int{}}
	for _, s := range sids {
		p.sids[s] = true
	}
	return p
}

func (p *poison) wrap(s inbound.Store) inbound.Store { p.Store = s; return p }

func (p *poison) SaveText(ctx context.Context, t inbound.Text, k inbound.Keyword) (inbound.Saved, bool, error) {
	p.mu.Lock()
	bad := p.sids[t.SID]
	if bad {
		p.tries[t.SID]++
	}
	p.mu.Unlock()
	if bad {
		return inbound.Saved{}, false, errors.New("save text: constraint failed: a poisoned row")
	}
	return p.Store.SaveText(ctx, t, k)
}

func (p *poison) SaveDeadLetter(ctx context.Context, d inbound.DeadLetter) (bool, error) {
	p.mu.Lock()
	full := p.deadToo
	p.mu.Unlock()
	if full {
		return false, errors.New("database or disk is full")
	}
	return p.Store.SaveDeadLetter(ctx, d)
}

func (p *poison) set(f func(p *poison)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(p)
}

func (p *poison) triesOf(sid string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tries[sid]
}

// notices returns the staff posts that announce a dead letter.
func notices(posts []relayed) []string {
	var out []string
	for _, p := range posts {
		if strings.Contains(p.msg.Text, "dead letter") {
			out = append(out, p.msg.Text)
		}
	}
	return out
}

func TestPoisonedWebhookTextIsSetAsideOnceAndItsStopCounts(t *testing.T) {
	bad := sid(0xbad)
	p := poisoned(bad)
	b := setupWith(t, p.wrap)
	ctx := context.Background()
	form := incoming(t, ada, bad, "STOP\x00")
	for range 2 { // Twilio's retry of the same text
		if twiml := b.mustPost(t, "/twilio/inbound", form, http.StatusOK); strings.Contains(twiml, "<Message>") {
			t.Fatalf("answered %s", twiml)
		}
	}
	if got := p.triesOf(bad); got != 6 {
		t.Fatalf("the store was offered the text %d times, want 3 per delivery", got)
	}
	dead, err := b.store.DeadLetters(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 1 || dead[0].SID != bad || dead[0].From != ada || !strings.Contains(dead[0].Error, "poisoned") {
		t.Fatalf("dead letters %+v", dead)
	}
	raw, err := dead[0].DecodeRaw()
	if err != nil || raw.Body != "STOP\x00" || raw.SID != bad {
		t.Fatalf("raw %+v, %v: want the text as received", raw, err)
	}
	c, err := b.store.Contact(ctx, ada)
	if err != nil || c.OptedOutAt == nil {
		t.Fatalf("the poisoned STOP did not opt Ada out: %+v, %v", c, err)
	}
	if got := notices(b.staff.all()); len(got) != 1 || !strings.Contains(got[0], ada) || !strings.Contains(got[0], bad) {
		t.Fatalf("staff told %q, want one notice", got)
	}

	// The texts behind it go on: stored and relayed, with no auto-reply
	// to Ada, who opted out.
	if twiml := b.mustPost(t, "/twilio/inbound", incoming(t, ada, sid(2), "sorry, wrong number"), http.StatusOK); strings.Contains(twiml, "<Message>") {
		t.Fatalf("auto-replied to an opted-out contact: %s", twiml)
	}
	if n := b.count(t, "inbound_messages"); n != 1 {
		t.Fatalf("%d texts stored, want the one after the poisoned text", n)
	}
}

func TestTextIsNotLostWhenEvenItsDeadLetterFails(t *testing.T) {
	bad := sid(0xbad)
	p := poisoned(bad)
	p.deadToo = true
	b := setupWith(t, p.wrap)
	form := incoming(t, ada, bad, "STOP")
	if code, body := b.post(t, "/twilio/inbound", form, ""); code != http.StatusInternalServerError {
		t.Fatalf("answered %d %q, want 500 so that Twilio retries", code, body)
	}
	if n := b.count(t, "dead_letters"); n != 0 {
		t.Fatalf("%d dead letters", n)
	}
	p.set(func(p *poison) { p.deadToo = false }) // space was freed
	b.mustPost(t, "/twilio/inbound", form, http.StatusOK)
	if n := b.count(t, "dead_letters"); n != 1 {
		t.Fatalf("%d dead letters after the retry, want 1", n)
	}
	if got := notices(b.staff.all()); len(got) != 1 {
		t.Fatalf("staff told %q, want one notice", got)
	}
}

func TestPollingMovesPastAPoisonedTextAndTheStopBehindItCounts(t *testing.T) {
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	p := poisoned()
	b := setupWith(t, p.wrap)
	ctx := context.Background()
	poller := newPoller(t, b, fake, b.svc, &replies{})
	if err := poller.Poll(ctx); err != nil { // starts the number's cursor
		t.Fatal(err)
	}
	bad := fake.AddInbound(linus, "+12065550101", "a text the store cannot take")
	p.set(func(p *poison) { p.sids[bad.SID] = true })
	fake.AddInbound(grace, "+12065550101", "STOP")
	if err := poller.Poll(ctx); err != nil {
		t.Fatalf("a poisoned text failed the poll: %v", err)
	}
	c, err := b.store.Contact(ctx, grace)
	if err != nil || c.OptedOutAt == nil {
		t.Fatalf("the STOP behind the poisoned text did not count: %+v, %v", c, err)
	}
	fake.AddInbound(ada, "+12065550101", "which room?")
	if err := poller.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	var shown []string
	for _, post := range b.staff.all() {
		shown = append(shown, post.msg.Text)
	}
	if !slices.Contains(shown, "> which room?") {
		t.Fatalf("the text after the poisoned one was not relayed: %q", shown)
	}
	if got := notices(b.staff.all()); len(got) != 1 || !strings.Contains(got[0], bad.SID) {
		t.Fatalf("staff told %q, want one notice naming %s", got, bad.SID)
	}
}

func TestPolledTextWithNULAndControlsIsStoredClean(t *testing.T) {
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	b := setup(t)
	ctx := context.Background()
	poller := newPoller(t, b, fake, b.svc, &replies{})
	if err := poller.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	fake.AddInbound(linus, "+12065550101", "a\x00b\x07c\r\nd\te\x1b[31m")
	fake.AddInbound(grace, "+12065550101", "STOP")
	if err := poller.Poll(ctx); err != nil {
		t.Fatalf("a NUL failed the poll: %v", err)
	}
	var body string
	if err := b.store.DB().NewRaw(`SELECT body FROM inbound_messages WHERE from_phone = ?`, linus).Scan(ctx, &body); err != nil {
		t.Fatal(err)
	}
	if body != "abc\nd\te[31m" {
		t.Fatalf("stored %q", body)
	}
	c, err := b.store.Contact(ctx, grace)
	if err != nil || c.OptedOutAt == nil {
		t.Fatalf("the STOP behind it did not count: %+v, %v", c, err)
	}
}

func TestCleanField(t *testing.T) {
	for in, want := range map[string]string{
		"plain":             "plain",
		"a\x00b":            "ab",
		"line\r\nnext\tcol": "line\nnext\tcol",
		"\x01\x1f\x7f":      "\x7f",
		"caf\xe9":           "caf\uFFFD",
		"😀 ünïcode":         "😀 ünïcode",
	} {
		if got := inbound.CleanField(in); got != want {
			t.Errorf("CleanField(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidSID(t *testing.T) {
	for sid, want := range map[string]bool{
		"SM5a8d2f7b0c3e4f1a9b6c7d8e9f0a1b2c":    true,
		"MM00000000000000000000000000000000":    true,
		"SM5A8D2F7B0C3E4F1A9B6C7D8E9F0A1B2C":    false, // Twilio's hex is lowercase
		"sm5a8d2f7b0c3e4f1a9b6c7d8e9f0a1b2c":    false,
		"SM5a8d2f7b0c3e4f1a9b6c7d8e9f0a1b2":     false,
		"SM5a8d2f7b0c3e4f1a9b6c7d8e9f0a1b2c0":   false,
		"SM5a8d2f7b0c3e4f1a9b6c7d8e9f0a1b2\x00": false,
		"SMsim000000000000000000000000001":      false,
		"":                                      false,
	} {
		if got := inbound.ValidSID(sid); got != want {
			t.Errorf("ValidSID(%q) = %v", sid, got)
		}
	}
}
