package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot"
	"smsbot/broadcast"
	"smsbot/broadcast/sim"
	"smsbot/inbound"
	"smsbot/store"
)

// editRecorder is a Conversation that keeps posts and edits, and signals
// each edit.
type editRecorder struct {
	mu    sync.Mutex
	posts []bot.Message
	edits map[bot.Ref][]bot.Message
	edit  chan bot.Ref
}

func newEditRecorder() *editRecorder {
	return &editRecorder{edits: map[bot.Ref][]bot.Message{}, edit: make(chan bot.Ref, 64)}
}

func (r *editRecorder) Post(_ context.Context, m bot.Message) (bot.Ref, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.posts = append(r.posts, m)
	return bot.Ref(fmt.Sprint(len(r.posts))), nil
}

func (r *editRecorder) Update(_ context.Context, ref bot.Ref, m bot.Message) error {
	r.mu.Lock()
	r.edits[ref] = append(r.edits[ref], m)
	r.mu.Unlock()
	r.edit <- ref
	return nil
}

// find returns the first post whose title starts with prefix.
func (r *editRecorder) find(prefix string) (bot.Ref, bot.Message, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, m := range r.posts {
		if strings.HasPrefix(m.Title, prefix) {
			return bot.Ref(fmt.Sprint(i + 1)), m, true
		}
	}
	return "", bot.Message{}, false
}

func (r *editRecorder) last(ref bot.Ref) bot.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.edits[ref]
	return e[len(e)-1]
}

// pollBundle is a router with polls on a real store, the sim carrier on
// the real clock (texts go out at once), the router on a fake clock (the
// tally's edits), and an inbound service receiving answers.
type pollBundle struct {
	router *bot.Router
	store  *store.Store
	engine *broadcast.Engine
	in     *inbound.Service
	clock  *clockwork.FakeClock
	conv   *editRecorder
	sids   int
}

func setupPolls(t *testing.T, admins ...string) *pollBundle {
	t.Helper()
	return setupPollsAt(t, time.Now(), nil, admins...)
}

// setupPollsAt is setupPolls with the router's clock at t0; extra, when
// not nil, adds to the router's configuration (a scheduler on the same
// store, engine and clock).
func setupPollsAt(t *testing.T, t0 time.Time, extra func(*bot.Config, *store.Store, *broadcast.Engine, clockwork.Clock), admins ...string) *pollBundle {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "smsbot.db")})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := broadcast.New(broadcast.Config{Store: st, Provider: sim.New(sim.Config{})})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	in, err := inbound.New(inbound.Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	clock := clockwork.NewFakeClockAt(t0)
	cfg := bot.Config{Engine: eng, Directory: st, Stats: st, Polls: st, Clock: clock, Admins: admins, Location: time.UTC}
	if extra != nil {
		extra(&cfg, st, eng, clock)
	}
	r := bot.New(cfg)
	t.Cleanup(func() {
		r.Close()
		eng.Close()
		st.Close()
	})
	b := &pollBundle{router: r, store: st, engine: eng, in: in, clock: clock, conv: newEditRecorder()}
	b.do("alice", "numbers add +12065550100 100")
	for i := 1; i <= 4; i++ {
		b.do("alice", fmt.Sprintf("add crew +1206555010%d Guest%d", i, i))
	}
	return b
}

func (b *pollBundle) do(user, text string) []bot.Message {
	b.conv.mu.Lock()
	n := len(b.conv.posts)
	b.conv.mu.Unlock()
	b.router.Command(context.Background(), bot.Invocation{User: user, Channel: "test", Text: text}, b.conv)
	b.conv.mu.Lock()
	defer b.conv.mu.Unlock()
	return append([]bot.Message(nil), b.conv.posts[n:]...)
}

func (b *pollBundle) click(t *testing.T, user, action string) {
	t.Helper()
	b.router.Click(context.Background(), bot.Click{User: user, Action: action, Message: "1"}, b.conv)
}

// approve approves broadcast id and waits until its texts are sent.
func (b *pollBundle) approve(t *testing.T, id int64) {
	t.Helper()
	ch, stop, err := b.engine.Subscribe(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	b.click(t, "alice", fmt.Sprintf("approve:%d", id))
	timeout := time.After(20 * time.Second)
	for {
		select {
		case p := <-ch:
			if p.Done {
				return
			}
		case <-timeout:
			t.Fatalf("broadcast #%d did not finish", id)
		}
	}
}

// text makes guest n text body in, and returns the reply.
func (b *pollBundle) text(t *testing.T, n int, body string) string {
	t.Helper()
	b.sids++
	reply, err := b.in.Receive(context.Background(), inbound.Text{
		SID: fmt.Sprintf("SM%032x", b.sids), From: fmt.Sprintf("+1206555010%d", n), To: "+12065550100", Body: body,
	})
	if err != nil {
		t.Fatal(err)
	}
	return reply
}

// tally advances the router's clock one turn and returns the tally
// message as edited.
func (b *pollBundle) tally(t *testing.T) bot.Message {
	t.Helper()
	return b.tallyAfter(t, 2*time.Second)
}

// tallyAfter advances the router's clock by d, then a turn at a time
// until the tally message is edited, and returns it as edited. (A fake
// ticker fires on Advance whether or not its watcher waits on it yet.)
func (b *pollBundle) tallyAfter(t *testing.T, d time.Duration) bot.Message {
	t.Helper()
	ref, _, ok := b.conv.find("📊 Poll #")
	if !ok {
		t.Fatal("no tally posted")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		b.clock.Advance(d)
		d = 2 * time.Second
		select {
		case got := <-b.conv.edit:
			if got == ref {
				return b.conv.last(ref)
			}
		case <-time.After(50 * time.Millisecond):
			// no change this turn (or another watcher ticked): next turn
		case <-ctx.Done():
			t.Fatal("tally not edited")
		}
	}
}

func TestPollPreviewShowsTheExactTextAndClosing(t *testing.T) {
	b := setupPolls(t)
	posts := b.do("alice", `poll crew Which shuttle? | 5 pm shuttle | 7 pm shuttle --closes "in 2h" --confirm "Got it: {answer}. Reply again to change."`)
	if len(posts) != 1 {
		t.Fatalf("%d posts: %+v", len(posts), posts)
	}
	m := posts[0]
	if m.Title != "Poll #1 to crew: waiting for approval" {
		t.Errorf("title = %q", m.Title)
	}
	if want := "Which shuttle?\n1) 5 pm shuttle\n2) 7 pm shuttle\nReply 1 or 2"; !strings.Contains(strings.ReplaceAll(m.Text, "> ", ""), want) {
		t.Errorf("text = %q, want %q", m.Text, want)
	}
	fields := map[string]string{}
	for _, f := range m.Fields {
		fields[f.Label] = f.Value
	}
	closes := b.clock.Now().Add(2 * time.Hour).UTC().Format("15:04")
	if !strings.Contains(fields["Closes"], closes) {
		t.Errorf("Closes = %q, want %s", fields["Closes"], closes)
	}
	if fields["Confirmation"] != "Got it: 5 pm shuttle. Reply again to change. (1 segment per answer)" {
		t.Errorf("Confirmation = %q", fields["Confirmation"])
	}
	if fields["Recipients"] != "4" || fields["Cost"] == "" && fields["Segments"] == "" {
		t.Errorf("fields = %v", fields)
	}
}

func TestPollBadInputGetsOneLineAndWritesNothing(t *testing.T) {
	b := setupPolls(t, "alice")
	b.do("alice", "poll crew Which shuttle? | 5 pm | 7 pm")
	tests := []struct{ name, user, cmd, want string }{
		{"one option", "alice", "poll crew Coming? | yes", "a poll has 2 to 9 options separated by |; this one has 1"},
		{"ten options", "alice", "poll crew Pick | a | b | c | d | e | f | g | h | i | j", "this one has 10"},
		{"empty option", "alice", "poll crew Pick | a | | b", "option 2 is empty"},
		{"same options", "alice", "poll crew Pick | Bus | bus", `options 1 and 2 read the same ("Bus" and "bus")`},
		{"options alike", "alice", "poll crew Pick | 5pm | 5 PM", `options 1 and 2 read the same ("5pm" and "5 PM")`},
		{"a number as a label", "alice", "poll crew Pick | 2 | 1", `option 1 ("2") is option 2's number`},
		{"a keyword as a label", "alice", "poll crew Pick | Go | STOP", `option 2 ("STOP") has the opt-out keyword STOP in it`},
		{"no question", "alice", "poll crew | a | b", "the poll has no question"},
		{"no pipes", "alice", "poll crew Coming tonight?", "usage: /sms poll <list> <question> | <option>"},
		{"unknown list", "alice", "poll vips Pick | a | b", `there is no list named "vips"`},
		{"closes in the past", "alice", "poll crew Pick | a | b --closes 2020-01-01 10:00", ""},
		{"closes cron", "alice", `poll crew Pick | a | b --closes "0 9 * * *"`, "a poll closes once"},
		{"closes without time", "alice", "poll crew Pick | a | b --closes", "--closes needs a time"},
		{"unknown poll", "alice", "send poll:99=1 Hello", "there is no poll #99"},
		{"option out of range", "alice", "send poll:1=7 Hello", "poll #1 has options 1 to 2"},
		{"group without option", "alice", "send poll:1 Hello", "poll:1 needs an answer"},
		{"group garbage", "alice", "send poll:one=2 Hello", `"poll:one=2" is not an answer group`},
		{"not an admin", "mallory", "poll crew Pick | a | b", "only smsbot admins can do that"},
		{"unknown flag", "alice", "poll crew Pick | a | b --bogus x", "unknown option --bogus: a poll takes --closes <when> and --confirm <text>"},
		{"close unknown", "alice", "", ""},
	}
	for _, tt := range tests {
		if tt.cmd == "" {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			before := pollRows(t, b.store)
			posts := b.do(tt.user, tt.cmd)
			if len(posts) != 1 {
				t.Fatalf("%d answers, want 1", len(posts))
			}
			m := posts[0]
			if !m.Ephemeral || strings.Contains(m.Text, "\n") || !strings.HasPrefix(m.Text, "⚠️ ") || !strings.Contains(m.Text, tt.want) {
				t.Fatalf("answer = %q, want one ephemeral line with %q", m.Text, tt.want)
			}
			if after := pollRows(t, b.store); after != before {
				t.Fatalf("rows changed: %s → %s", before, after)
			}
		})
	}
}

// pollRows counts the rows a poll command could write.
func pollRows(t *testing.T, st *store.Store) string {
	t.Helper()
	var out []string
	for _, table := range []string{"broadcasts", "polls", "poll_options", "poll_answers", "messages", "audit_log"} {
		var n int
		if err := st.DB().NewRaw("SELECT COUNT(*) FROM "+table).Scan(context.Background(), &n); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s=%d", table, n))
	}
	return strings.Join(out, " ")
}
