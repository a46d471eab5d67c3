package bot_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
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
	return setupClockWith(t, nil)
}

// refusing is a carrier that refuses every text for good, as Twilio
// refuses texts to a region the account may not send to.
type refusing struct{}

func (refusing) Send(context.Context, broadcast.Outgoing) (string, error) {
	return "", &broadcast.SendError{Class: broadcast.Permanent, Code: "21408", Message: "Permission to send an SMS has not been enabled for the region"}
}

func (refusing) Lookup(context.Context, broadcast.Sender, string, time.Time) ([]broadcast.Sent, error) {
	return nil, nil
}

// setupClockWith is setupClock with another carrier than the simulated
// one, when provider is not nil.
func setupClockWith(t *testing.T, provider broadcast.Provider) (*routerBundle, *clockwork.FakeClock) {
	t.Helper()
	ctx := context.Background()
	clock := clockwork.NewFakeClockAt(time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC))
	st, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "smsbot.db"), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	carrier := sim.New(sim.Config{})
	if provider == nil {
		provider = carrier
	}
	eng, err := broadcast.New(broadcast.Config{Store: st, Provider: provider, Clock: clock})
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
	if v, ok := field(posts[0], "⚠️ Missing fields"); !ok || !strings.Contains(v, "1 recipient (Linus) has no {{team}}") {
		t.Fatalf("missing-field warning = %q, %v", v, ok)
	}
}

// preview sends text and returns its one preview.
func (b *routerBundle) preview(t *testing.T, text string) bot.Message {
	t.Helper()
	posts := b.do("console", text)
	if len(posts) != 1 || !strings.Contains(posts[0].Title, "waiting for approval") {
		t.Fatalf("%q answered %+v, want a preview", text, posts)
	}
	return posts[0]
}

// sendAll approves broadcast id and waits until nothing is sending.
func (b *routerBundle) sendAll(t *testing.T, id string) {
	t.Helper()
	b.click("console", "approve:"+id)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.engine.WaitIdle(ctx); err != nil {
		t.Fatalf("broadcast #%s never finished: %v", id, err)
	}
}

// The preview warns when the same text (white space aside) went to the
// same list within 6 hours, by the injected clock, and only for
// broadcasts that sent something or are sending.
func TestPreviewWarnsOfTheSameTextSentRecently(t *testing.T) {
	b, clock := setupClock(t)
	b.do("console", "numbers add +12065550900 3")
	b.do("console", "add crew +12065550100 Ada")
	b.do("console", "add friends +12065550101 Grace")
	const warn = "⚠️ Sent before"

	if _, ok := field(b.preview(t, "send crew Doors open at 7"), warn); ok {
		t.Fatal("the first broadcast warned")
	}
	if m := b.preview(t, "send crew Doors open at 7"); labelled(m, warn) {
		t.Fatalf("a broadcast waiting for approval counted: %q", fieldValue(m, warn))
	}
	b.click("console", "cancel:2") // cancelled before approval: sent nothing
	b.sendAll(t, "1")
	clock.Advance(25*time.Minute + 40*time.Second)

	tests := []struct{ name, cmd, want string }{
		{"white space aside", "send crew   Doors open\tat 7 ", "The same text went to crew 25 min ago as #1."},
		{"another list", "send friends Doors open at 7", ""},
		{"another text", "send crew Doors open at 8", ""},
		{"case counts", "send crew doors open at 7", ""},
	}
	for _, tt := range tests {
		m := b.preview(t, tt.cmd)
		if got := fieldValue(m, warn); got != tt.want {
			t.Errorf("%s: warning %q, want %q", tt.name, got, tt.want)
		}
	}

	clock.Advance(5*time.Hour + 34*time.Minute) // 5 h 59 min 40 s after #1 started
	if got := fieldValue(b.preview(t, "send crew Doors open at 7"), warn); got != "The same text went to crew 5 h 59 min ago as #1." {
		t.Errorf("just within 6 h: warning %q", got)
	}
	clock.Advance(time.Minute)
	if m := b.preview(t, "send crew Doors open at 7"); labelled(m, warn) {
		t.Errorf("over 6 h: warning %q", fieldValue(m, warn))
	}
}

// A broadcast of the same text that is still sending is named too.
func TestPreviewWarnsOfTheSameTextStillSending(t *testing.T) {
	b, clock := setupClock(t)
	b.do("console", "numbers add +12065550900 1")
	for _, p := range []string{"+12065550100", "+12065550101", "+12065550102"} {
		b.do("console", "add crew "+p)
	}
	b.preview(t, "send crew Dinner is served")
	b.click("console", "approve:1") // at 1/s on a stopped clock, it stays sending
	clock.Advance(90 * time.Second)
	got := fieldValue(b.preview(t, "send crew Dinner is served"), "⚠️ Sent before")
	if want := "The same text is going to crew as #1 (started 1 min ago)."; got != want {
		t.Fatalf("warning %q, want %q", got, want)
	}
}

// A broadcast that started but sent nothing (every text refused) is not
// a repeat: the list never got the text.
func TestPreviewIgnoresABroadcastThatSentNothing(t *testing.T) {
	b, clock := setupClockWith(t, refusing{})
	b.do("console", "numbers add +12065550900 3")
	b.do("console", "add crew +12065550100 Ada")
	b.preview(t, "send crew Doors open at 7")
	b.sendAll(t, "1")
	if posts := b.do("console", "status 1"); len(posts) != 1 || !strings.Contains(posts[0].Text+fmt.Sprint(posts[0].Fields), "failed") {
		t.Fatalf("#1 did not fail: %+v", posts)
	}
	clock.Advance(10 * time.Minute)
	if m := b.preview(t, "send crew Doors open at 7"); labelled(m, "⚠️ Sent before") {
		t.Fatalf("a broadcast that sent nothing counted: %q", fieldValue(m, "⚠️ Sent before"))
	}
}

func labelled(m bot.Message, label string) bool {
	_, ok := field(m, label)
	return ok
}

func fieldValue(m bot.Message, label string) string {
	v, _ := field(m, label)
	return v
}

// picky is a carrier that refuses the numbers in invalid as Twilio
// refuses a number that is not a mobile one (21211), and sends the rest.
type picky struct {
	invalid map[string]bool
	n       atomic.Int64
}

func (p *picky) Send(_ context.Context, m broadcast.Outgoing) (string, error) {
	if p.invalid[m.To] {
		return "", &broadcast.SendError{Class: broadcast.Permanent, Code: "21211", Message: "Invalid 'To' Phone Number", Effect: broadcast.FlagInvalid}
	}
	return fmt.Sprintf("SM%032d", p.n.Add(1)), nil
}

func (*picky) Lookup(context.Context, broadcast.Sender, string, time.Time) ([]broadcast.Sent, error) {
	return nil, nil
}

// The preview names the first five members it skips and the first five
// recipients lacking a merge field (names, or masked numbers), and
// /sms skipped <id> lists them all with their numbers and reasons, to
// whoever asks only.
func TestPreviewNamesSkippedAndMissingRecipients(t *testing.T) {
	ctx := context.Background()
	b, _ := setupClockWith(t, &picky{invalid: map[string]bool{"+12065550104": true}})
	b.do("console", "numbers add +12065550900 100")
	b.importFixture(t, "crew", "crew.csv") // Ada Lovelace (+12065550100) and Grace Hopper (+12065550101), with a team
	b.do("console", "add crew +12065550102 Linus")
	for i := 103; i <= 113; i++ {
		if i != 109 {
			b.do("console", fmt.Sprintf("add crew +12065550%d", i))
		}
	}
	for _, p := range []string{"+12065550100", "+12065550103", "+12065550110", "+12065550111", "+12065550112", "+12065550113"} {
		if _, err := b.store.OptOut(ctx, p, "test"); err != nil {
			t.Fatal(err)
		}
	}
	b.do("console", "add probe +12065550104")
	b.preview(t, "send probe Is this a mobile?")
	b.sendAll(t, "1") // flags +12065550104 invalid

	m := b.preview(t, "send crew Your team: {{team}}")
	if got, want := fieldValue(m, "Recipients"), "6 (7 skipped: 6 opted out, 1 invalid)"; got != want {
		t.Errorf("recipients %q, want %q", got, want)
	}
	if got, want := fieldValue(m, "Skipped"), "Ada Lovelace (opted out), +12…03 (opted out), +12…04 (invalid), +12…10 (opted out), +12…11 (opted out) and 2 more: /sms skipped 2"; got != want {
		t.Errorf("skipped %q\nwant    %q", got, want)
	}
	if got, want := fieldValue(m, "⚠️ Missing fields"), "5 recipients (Linus, +12…05, +12…06, +12…07, +12…08) have no {{team}}: it will be empty; give a default like {{team|…}}"; got != want {
		t.Errorf("missing %q\nwant    %q", got, want)
	}
	b.do("console", "add crew +12065550114")
	m = b.preview(t, "send crew Your team: {{team}}")
	if got, want := fieldValue(m, "⚠️ Missing fields"), "6 recipients (Linus, +12…05, +12…06, +12…07, +12…08 and 1 more: /sms skipped 3) have no {{team}}"; !strings.HasPrefix(got, want) {
		t.Errorf("missing %q\nwant    %q…", got, want)
	}

	posts := b.do("mallory", "skipped 3")
	if len(posts) != 1 || !posts[0].Ephemeral {
		t.Fatalf("/sms skipped answered %+v, want one ephemeral message", posts)
	}
	want := []string{
		"*Skipped (7):*",
		"• Ada Lovelace (+12065550100): opted out",
		"• +12065550103: opted out",
		"• +12065550104: invalid: ",
		"• +12065550110: opted out",
		"• +12065550113: opted out",
		"*Missing a merge field (6):*",
		"• Linus (+12065550102): no {{team}}",
		"• +12065550105: no {{team}}",
		"• +12065550114: no {{team}}",
	}
	lines := strings.Split(posts[0].Text, "\n")
	if len(lines) != 15 || posts[0].Title != "Broadcast #3 to crew: skipped and missing fields" {
		t.Fatalf("/sms skipped 3 = %q: %q, want 15 lines", posts[0].Title, lines)
	}
	for _, w := range want {
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, w) }) {
			t.Errorf("no line %q in %q", w, lines)
		}
	}
	if got := b.do("console", "skipped 1")[0].Text; got != "*Skipped (1):*\n• +12065550104: invalid: 21211 Invalid 'To' Phone Number\n(as probe is now; the list may have changed since #1)" {
		t.Errorf("/sms skipped 1 = %q", got)
	}
	b.do("console", "add calm +12065550101 Grace")
	b.preview(t, "send calm Hi {{first_name}}")
	if got := b.do("console", "skipped 4"); len(got) != 1 || got[0].Text != "Nobody on calm is skipped, and every text has its merge fields." {
		t.Errorf("/sms skipped 4 = %+v", got)
	}
}

func TestSkippedRefusesBadInputInOneLine(t *testing.T) {
	b, _ := setupClock(t)
	for cmd, want := range map[string]string{
		"skipped":      "usage: /sms skipped <id>",
		"skipped 1 2":  "usage: /sms skipped <id>",
		"skipped many": `"many" is not a broadcast id`,
		"skipped 42":   "there is no broadcast #42",
	} {
		oneError(t, b.do("console", cmd), want)
	}
}
