package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot"
	"smsbot/broadcast"
	"smsbot/scheduler"
	"smsbot/store"
)

// postSignal is an editRecorder that also signals each post.
type postSignal struct {
	*editRecorder
	posted chan bot.Message
}

func (p postSignal) Post(ctx context.Context, m bot.Message) (bot.Ref, error) {
	ref, err := p.editRecorder.Post(ctx, m)
	p.posted <- m
	return ref, err
}

// schedulePollBundle is a pollBundle with a scheduler whose notices go to
// the same conversation. The scheduler and the router share a fake clock
// set years ahead, so that polls closing after a run close after the
// engine's real clock too.
type schedulePollBundle struct {
	*pollBundle
	sched  *scheduler.Scheduler
	posted chan bot.Message
}

var schedT0 = time.Date(2030, 12, 1, 15, 33, 0, 0, time.UTC)

func setupSchedulePolls(t *testing.T) *schedulePollBundle {
	t.Helper()
	var s *scheduler.Scheduler
	b := setupPollsAt(t, schedT0, func(cfg *bot.Config, st *store.Store, eng *broadcast.Engine, clock clockwork.Clock) {
		var err error
		if s, err = scheduler.New(scheduler.Config{Store: st, Engine: eng, Location: time.UTC, Clock: clock}); err != nil {
			t.Fatal(err)
		}
		cfg.Scheduler = s
	})
	posted := make(chan bot.Message, 64)
	if err := s.Start(context.Background(), b.router.Notices(postSignal{b.conv, posted})); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return &schedulePollBundle{pollBundle: b, sched: s, posted: posted}
}

// fire moves the clock on by d and returns the scheduler's notice that a
// run started.
func (b *schedulePollBundle) fire(t *testing.T, d time.Duration) bot.Message {
	t.Helper()
	b.clock.Advance(d)
	timeout := time.After(20 * time.Second)
	for {
		select {
		case m := <-b.posted:
			if strings.HasPrefix(m.Title, "⏰ Schedule #") {
				return m
			}
		case <-timeout:
			t.Fatal("no schedule started")
		}
	}
}

// waitPost waits for a notice whose title starts with prefix.
func (b *schedulePollBundle) waitPost(t *testing.T, prefix string) bot.Message {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		if _, m, ok := b.conv.find(prefix); ok {
			return m
		}
		select {
		case <-b.posted:
		case <-timeout:
			t.Fatalf("nothing posted starting %q", prefix)
		}
	}
}

// sentTo counts broadcast id's texts once it is done.
func (b *schedulePollBundle) sentTo(t *testing.T, id int64) int {
	t.Helper()
	ch, stop, err := b.engine.Subscribe(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case p := <-ch:
			if p.Done {
				var n int
				if err := b.store.DB().NewRaw("SELECT COUNT(*) FROM messages WHERE broadcast_id = ?", id).Scan(context.Background(), &n); err != nil {
					t.Fatal(err)
				}
				return n
			}
		case <-timeout:
			t.Fatalf("broadcast #%d did not finish", id)
		}
	}
}

// shuttlePoll sends poll #1 to crew; guest 1 answers 2 and guest 2 answers 1.
func (b *schedulePollBundle) shuttlePoll(t *testing.T) {
	t.Helper()
	b.do("alice", "poll crew Which shuttle? | 5 pm shuttle | 7 pm shuttle")
	b.approve(t, 1)
	b.text(t, 1, "2")
	b.text(t, 2, "1")
}

func TestScheduleToAnswerGroup(t *testing.T) {
	b := setupSchedulePolls(t)
	b.shuttlePoll(t)
	posts := b.do("alice", "schedule in 30m poll:1=2 The 7 pm shuttle leaves from Gate B")
	if len(posts) != 1 {
		t.Fatalf("%d posts: %+v", len(posts), posts)
	}
	m := posts[0]
	if m.Title != "Schedule #1 to poll:1=2 on crew, at Sun 1 Dec 16:03 UTC (in 30m): waiting for approval" {
		t.Errorf("title = %q", m.Title)
	}
	f := fieldMap(m)
	if !strings.Contains(f["Group"], "poll:1=2: those on crew who got poll #1 (Which shuttle?) and answered 2) 7 pm shuttle") || f["Recipients"] != "1" {
		t.Errorf("fields = %v", f)
	}
	if len(m.Buttons) != 2 || m.Buttons[0].Action != "sapprove:1" {
		t.Errorf("buttons = %+v", m.Buttons)
	}
	b.text(t, 3, "7 pm") // answers after the schedule was planned
	b.click(t, "alice", "sapprove:1")
	if list := b.do("bob", "schedules")[0].Text; !strings.Contains(list, "#1 at Sun 1 Dec 16:03 UTC (in 30m) · poll:1=2 on crew · The 7 pm shuttle leaves from") {
		t.Errorf("schedules = %q", list)
	}
	started := b.fire(t, 30*time.Minute)
	if !strings.HasPrefix(started.Title, "⏰ Schedule #1 started") {
		t.Fatalf("notice = %q", started.Title)
	}
	if n := b.sentTo(t, 2); n != 2 {
		t.Fatalf("the run texted %d, want the 2 who answered 2 by then", n)
	}
}

func TestScheduleToNonResponders(t *testing.T) {
	b := setupSchedulePolls(t)
	b.shuttlePoll(t)
	m := b.do("alice", "schedule in 1h poll:1=none Still time to answer: which shuttle?")[0]
	if f := fieldMap(m); !strings.Contains(f["Group"], "poll:1=none: those on crew who got poll #1 (Which shuttle?) and have not answered") || f["Recipients"] != "2" {
		t.Fatalf("title %q, fields %v", m.Title, f)
	}
	b.text(t, 3, "1")
	b.click(t, "alice", "sapprove:1")
	b.fire(t, time.Hour)
	if n := b.sentTo(t, 2); n != 1 {
		t.Fatalf("the run texted %d, want the one still to answer then", n)
	}
}

func TestScheduleSelectorBadInputWritesNothing(t *testing.T) {
	b := setupSchedulePolls(t)
	b.shuttlePoll(t)
	for _, tt := range []struct{ cmd, want string }{
		{"schedule in 30m poll:99=1 Hello", "there is no poll #99"},
		{"schedule in 30m poll:1=7 Hello", "poll #1 has options 1 to 2"},
		{"schedule in 30m poll:1 Hello", "poll:1 needs an answer"},
		{"schedule in 30m poll:one=2 Hello", `"poll:one=2" is not an answer group`},
		{"schedule in 30m poll:1=2", "the message is empty"},
		{"schedule 6:45 poll:1=2 Hello", "did you mean 06:45 or 18:45?"},
	} {
		t.Run(tt.cmd, func(t *testing.T) {
			before := schedulePollRows(t, b.store)
			posts := b.do("alice", tt.cmd)
			if len(posts) != 1 || !posts[0].Ephemeral || strings.Contains(posts[0].Text, "\n") || !strings.Contains(posts[0].Text, tt.want) {
				t.Fatalf("answered %+v, want one line with %q", posts, tt.want)
			}
			if after := schedulePollRows(t, b.store); after != before {
				t.Fatalf("rows changed: %s → %s", before, after)
			}
		})
	}
}

// schedulePollRows counts the rows a schedule command could write.
func schedulePollRows(t *testing.T, st *store.Store) string {
	t.Helper()
	return pollRows(t, st) + " " + strings.Join(countRows(t, st, "schedules", "schedule_runs"), " ")
}

func countRows(t *testing.T, st *store.Store, tables ...string) []string {
	t.Helper()
	var out []string
	for _, table := range tables {
		var n int
		if err := st.DB().NewRaw("SELECT COUNT(*) FROM "+table).Scan(context.Background(), &n); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s=%d", table, n))
	}
	return out
}

// stored returns schedule id as the store has it.
func (b *schedulePollBundle) stored(t *testing.T, id int64) scheduler.Schedule {
	t.Helper()
	sc, err := b.store.Schedule(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}
