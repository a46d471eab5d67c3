package bot_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot"
	"smsbot/broadcast"
	"smsbot/broadcast/sim"
	"smsbot/store"
)

// setupClock is setup with one fake clock for the store, the engine and
// the router.
func setupClock(t *testing.T) (*routerBundle, *clockwork.FakeClock) {
	t.Helper()
	ctx := context.Background()
	clock := clockwork.NewFakeClockAt(time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC))
	st, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "smsbot.db"), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	carrier := sim.New(sim.Config{})
	eng, err := broadcast.New(broadcast.Config{Store: st, Provider: carrier, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	r := bot.New(bot.Config{Engine: eng, Directory: st, Stats: st, Clock: clock, ProgressEvery: time.Hour})
	t.Cleanup(func() {
		r.Close()
		eng.Close()
		st.Close()
	})
	return &routerBundle{router: r, store: st, engine: eng, sim: carrier, conv: &recorder{}}, clock
}

// importFixture imports testdata/csv/<name> into list through the router.
func (b *routerBundle) importFixture(t *testing.T, list, name string) {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "csv", name))
	if err != nil {
		t.Fatal(err)
	}
	inv := bot.Invocation{User: "console", Channel: "test", Text: "import " + list + " " + name, Files: oneFile{f}}
	b.router.Command(context.Background(), inv, b.conv)
	if posts := b.conv.take(); len(posts) != 1 || !strings.Contains(posts[0].Text+posts[0].Title, "mport") {
		t.Fatalf("import answered %+v", posts)
	}
}

// oneError checks that posts are one ephemeral error line containing want.
func oneError(t *testing.T, posts []bot.Message, want string) {
	t.Helper()
	if len(posts) != 1 {
		t.Fatalf("%d answers, want 1: %+v", len(posts), posts)
	}
	m := posts[0]
	if !m.Ephemeral || strings.Contains(m.Text, "\n") || !strings.HasPrefix(m.Text, "⚠️ ") || !strings.Contains(m.Text, want) {
		t.Fatalf("answer = %q, want one ephemeral line with %q", m.Text, want)
	}
}

// field returns the value of the message's field labelled label.
func field(m bot.Message, label string) (string, bool) {
	for _, f := range m.Fields {
		if f.Label == label {
			return f.Value, true
		}
	}
	return "", false
}

// An unknown merge field refuses the send in one line that names it,
// suggests the closest known field and lists the known ones, and stores
// no broadcast; a known field that some recipients lack still previews.
func TestUnknownMergeFieldIsAnError(t *testing.T) {
	b, _ := setupClock(t)
	b.do("console", "numbers add +12065550900 3")
	b.importFixture(t, "crew", "crew.csv") // Ada and Grace, with a team
	b.do("console", "add crew +12065550102 Linus")
	tests := []struct{ body, want string }{
		{"Hi {{frist_name}}", "unknown merge field {{frist_name}}: did you mean {{first_name}}? Known fields: name, first_name, last_name, phone, team"},
		{"Your team: {{taem|none}}", "unknown merge field {{taem}}: did you mean {{team}}? Known fields: name, first_name, last_name, phone, team"},
		{"Hi {{foo}}", "unknown merge field {{foo}}: no contact on the list has it. Known fields: name, first_name, last_name, phone, team"},
		{"{{first_name}}, bring your {{Badge Number}}", "unknown merge field {{badge_number}}: no contact on the list has it."},
	}
	for _, tt := range tests {
		before := b.rows(t)
		oneError(t, b.do("console", "send crew "+tt.body), tt.want)
		if after := b.rows(t); after["broadcasts"] != before["broadcasts"] {
			t.Fatalf("%q stored a broadcast", tt.body)
		}
	}
	posts := b.do("console", "send crew Hi {{first_name}}, you are on team {{team}}")
	if len(posts) != 1 || !strings.Contains(posts[0].Title, "waiting for approval") {
		t.Fatalf("a known field was refused: %+v", posts)
	}
	if v, ok := field(posts[0], "⚠️ Missing fields"); !ok || !strings.Contains(v, "1 recipient has no {{team}}") {
		t.Fatalf("missing-field warning = %q, %v", v, ok)
	}
}
