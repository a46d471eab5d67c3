package bot_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"smsbot/bot"
)

// statsField returns the value of the field labelled label of m, failing the
// test when there is none.
func statsField(t *testing.T, m bot.Message, label string) string {
	t.Helper()
	for _, f := range m.Fields {
		if f.Label == label {
			return f.Value
		}
	}
	t.Fatalf("no field %q in %+v", label, m)
	return ""
}

// waitIdle waits for the engine to finish sending, for at most 10 s.
func (b *routerBundle) waitIdle(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.engine.WaitIdle(ctx); err != nil {
		t.Fatalf("waiting for the broadcast to end: %v", err)
	}
}

// senderLine is a sender's line in /sms stats <id> after two texts at 5/s.
var senderLine = regexp.MustCompile(`^\+12065550101: 2 texts, [0-9.]+ segments?/s over [0-9.]+s of sending \(configured 5 segments/s\)$`)

// TestStatsKeepTheRateItWasSentAt: a broadcast sent at 5 segments/s is
// compared with 5, not with the 1/s its number was changed to afterwards.
func TestStatsKeepTheRateItWasSentAt(t *testing.T) {
	b := setup(t)
	b.do("console", "numbers add +12065550101 5")
	b.do("console", "add crew +12065550001 Ada")
	b.do("console", "add crew +12065550002 Bob")
	b.do("console", "send crew Dinner")
	b.click("console", "approve:1")
	b.waitIdle(t)
	b.do("console", "numbers add +12065550101 1")
	posts := b.do("console", "stats 1")
	if len(posts) != 1 {
		t.Fatalf("stats: %+v", posts)
	}
	got := statsField(t, posts[0], "Senders")
	if !strings.Contains(got, "(configured 5 segments/s)") || strings.Contains(got, "configured 1") {
		t.Fatalf("senders: %q, want the rate it was sent at, configured 5 segments/s", got)
	}
	// Two texts at 5/s: the rate between them, over the time between them.
	if !senderLine.MatchString(got) {
		t.Fatalf("senders: %q, want it to match %s", got, senderLine)
	}
}

// TestStatsListOnlyWhatSent: /sms stats lists the broadcasts that sent
// something, not those pending, declined or cancelled before a text.
func TestStatsListOnlyWhatSent(t *testing.T) {
	b := setup(t)
	b.do("console", "numbers add +12065550101 100")
	b.do("console", "add crew +12065550001 Ada")
	b.do("console", "send crew Dinner")
	b.click("console", "approve:1")
	b.waitIdle(t)
	b.do("console", "send crew Pending")
	b.do("console", "send crew Declined")
	b.click("console", "cancel:3")
	posts := b.do("console", "stats")
	if len(posts) != 1 {
		t.Fatalf("stats: %+v", posts)
	}
	m := posts[0]
	lines := strings.Split(m.Text, "\n")
	if m.Title != "The last broadcast that sent texts" || len(lines) != 2 || !strings.HasPrefix(lines[0], "#1 ") || strings.Contains(m.Text, "not started") {
		t.Fatalf("stats: %q\n%s\nwant #1 alone and its total", m.Title, m.Text)
	}
}

// TestStatsOfOneTextAt1PerSecond: one text at 1 segment/s reads in the
// singular, and says there is no rate to measure.
func TestStatsOfOneTextAt1PerSecond(t *testing.T) {
	b := setup(t)
	b.do("console", "numbers add +12065550101 1")
	b.do("console", "add crew +12065550001 Ada")
	b.do("console", "send crew Dinner")
	b.click("console", "approve:1")
	b.waitIdle(t)
	posts := b.do("console", "stats 1")
	if len(posts) != 1 {
		t.Fatalf("stats: %+v", posts)
	}
	got := statsField(t, posts[0], "Senders")
	if want := "+12065550101: 1 text, too few to measure a rate (configured 1 segment/s)"; got != want {
		t.Fatalf("senders: %q, want %q", got, want)
	}
	if got := statsField(t, posts[0], "Answers within 24 h"); got != "0 replies, 0 opted out" {
		t.Fatalf("answers: %q", got)
	}
}
