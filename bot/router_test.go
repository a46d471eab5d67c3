package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"smsbot/bot"
	"smsbot/broadcast"
	"smsbot/broadcast/sim"
	"smsbot/store"
)

// recorder is a Conversation that keeps what the router posts.
type recorder struct {
	mu    sync.Mutex
	posts []bot.Message
}

func (r *recorder) Post(_ context.Context, m bot.Message) (bot.Ref, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.posts = append(r.posts, m)
	return bot.Ref(fmt.Sprint(len(r.posts))), nil
}

func (r *recorder) Update(context.Context, bot.Ref, bot.Message) error { return nil }

func (r *recorder) take() []bot.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.posts
	r.posts = nil
	return p
}

type routerBundle struct {
	router *bot.Router
	store  *store.Store
	engine *broadcast.Engine
	sim    *sim.Provider
	conv   *recorder
}

func setup(t *testing.T, admins ...string) *routerBundle {
	t.Helper()
	return setupWith(t, bot.Config{Admins: admins})
}

func setupWith(t *testing.T, cfg bot.Config) *routerBundle {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "smsbot.db")})
	if err != nil {
		t.Fatal(err)
	}
	carrier := sim.New(sim.Config{})
	eng, err := broadcast.New(broadcast.Config{Store: st, Provider: carrier})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	cfg.Engine, cfg.Directory, cfg.Stats = eng, st, st
	r := bot.New(cfg)
	t.Cleanup(func() {
		r.Close()
		eng.Close()
		st.Close()
	})
	return &routerBundle{router: r, store: st, engine: eng, sim: carrier, conv: &recorder{}}
}

func (b *routerBundle) do(user, text string) []bot.Message {
	b.router.Command(context.Background(), bot.Invocation{User: user, Channel: "test", Text: text}, b.conv)
	return b.conv.take()
}

// rows counts every table's rows, to show that a refused command wrote
// nothing.
func (b *routerBundle) rows(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"senders", "contacts", "lists", "memberships", "assignments", "broadcasts", "messages", "audit_log"} {
		var n int
		if err := b.store.DB().NewRaw("SELECT COUNT(*) FROM "+table).Scan(context.Background(), &n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func TestBadInputGetsOneLineAndWritesNothing(t *testing.T) {
	b := setup(t, "alice")
	b.do("alice", "numbers add +12065550101 3")
	b.do("alice", "add crew +12065550001 Ada")
	tests := []struct{ name, user, cmd, want string }{
		{"malformed phone", "alice", "add crew 206-555", `"206-555" is not a phone number: too short`},
		{"not a number", "alice", "add crew call-me-maybe", `"call-me-maybe" is not a phone number: not a number`},
		{"unknown list", "alice", "send vips Hello", `there is no list named "vips" (see /sms lists)`},
		{"empty message", "alice", "send crew   ", "the message is empty: write it after the list name"},
		{"message too long", "alice", "send crew " + strings.Repeat("é", 1601), "the message is 1601 characters long; the limit is 1600"},
		{"unknown command", "alice", "sned crew Hello", `unknown command "sned": did you mean send?`},
		{"unknown subcommand", "alice", "numbers frobnicate +12065550101", `unknown subcommand of numbers "frobnicate"; try /sms help`},
		{"non-numeric rate", "alice", "numbers add +12065550102 fast", `rate "fast" is not a number more than 0 and at most 1000 segments per second (1 for a long code, 3 for toll-free, 100 for a short code)`},
		{"zero rate", "alice", "numbers add +12065550102 0", `rate "0" is not a number more than 0 and at most 1000`},
		{"bad sender", "alice", "numbers add 206-555", `"206-555" is neither an E.164 number`},
		{"bad list name", "alice", "add crew! +12065550002", `list name "crew!" may only have letters`},
		{"bad id", "alice", "cancel three", `"three" is not a broadcast id`},
		{"unknown id", "alice", "pause 42", "there is no broadcast #42"},
		{"missing args", "alice", "remove crew", "usage: /sms remove <list> <phone>"},
		{"not an admin", "mallory", "add crew +12065550002", "only smsbot admins can do that"},
		{"unknown number", "alice", "numbers remove +12065550199", "+12065550199 is not one of the sending numbers"},
		{"not on list", "alice", "remove crew +12065550009", "+12065550009 is not on list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := b.rows(t)
			posts := b.do(tt.user, tt.cmd)
			if len(posts) != 1 {
				t.Fatalf("%d answers, want 1", len(posts))
			}
			m := posts[0]
			if !m.Ephemeral || strings.Contains(m.Text, "\n") || !strings.HasPrefix(m.Text, "⚠️ ") || !strings.Contains(m.Text, tt.want) {
				t.Fatalf("answer = %+v, want one ephemeral line with %q", m, tt.want)
			}
			if after := b.rows(t); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Fatalf("rows changed: %v → %v", before, after)
			}
		})
	}
}

func TestAddCreatesListAndSaysSo(t *testing.T) {
	b := setup(t)
	tests := []struct{ cmd, want string }{
		{"add crew (206) 555-0100 Ada Lovelace", "Created list crew; added Ada Lovelace (+12065550100) to crew."},
		{"add crew 1-206-555-0101", "Added +12065550101 to crew."},
		{"add crew +1 206 555 0100", "+12065550100 was already on crew."},
		{"lists", "crew · 2 contacts"},
	}
	for _, tt := range tests {
		posts := b.do("console", tt.cmd)
		if len(posts) != 1 || !strings.Contains(posts[0].Text, tt.want) {
			t.Errorf("%q answered %+v, want %q", tt.cmd, posts, tt.want)
		}
	}
}

func TestInternalErrorsShowAReference(t *testing.T) {
	b := setup(t)
	b.store.Close() // every query now fails
	posts := b.do("console", "lists")
	if len(posts) != 1 || !strings.HasPrefix(posts[0].Text, "⚠️ internal error (ref ") {
		t.Fatalf("answer = %+v", posts)
	}
}
