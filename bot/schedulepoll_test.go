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

func TestScheduledPollPreview(t *testing.T) {
	b := setupSchedulePolls(t)
	posts := b.do("alice", `schedule tomorrow 09:00 poll crew Which shuttle? | 5 pm shuttle | 7 pm shuttle --closes "in 2h" --confirm "Got it: {answer}. Reply again to change."`)
	if len(posts) != 1 {
		t.Fatalf("%d posts: %+v", len(posts), posts)
	}
	m := posts[0]
	if m.Title != "Scheduled poll #1 to crew, at Mon 2 Dec 09:00 UTC (in 17h 27m): waiting for approval" {
		t.Errorf("title = %q", m.Title)
	}
	if want := "Which shuttle?\n1) 5 pm shuttle\n2) 7 pm shuttle\nReply 1 or 2"; !strings.Contains(strings.ReplaceAll(m.Text, "> ", ""), want) {
		t.Errorf("text = %q, want %q", m.Text, want)
	}
	f := fieldMap(m)
	if f["Closes"] != "Mon Dec 2 11:00 (2h after it is sent)" {
		t.Errorf("Closes = %q", f["Closes"])
	}
	if f["Confirmation"] != "Got it: 5 pm shuttle. Reply again to change. (1 segment per answer)" || f["Recipients"] != "4" {
		t.Errorf("fields = %v", f)
	}
	if len(m.Buttons) != 2 || m.Buttons[0].Action != "sapprove:1" || m.Buttons[1].Action != "scancel:1" {
		t.Errorf("buttons = %+v", m.Buttons)
	}
	sc := b.stored(t, 1)
	if q := sc.Poll; q == nil || q.Text != "Which shuttle?" || len(q.Options) != 2 || q.ClosesIn != 2*time.Hour || q.Confirm != "Got it: {answer}. Reply again to change." {
		t.Fatalf("stored poll %+v", sc.Poll)
	}
	if n := b.broadcasts(t); n != 0 {
		t.Fatalf("planning a poll stored %d broadcasts", n)
	}
}

// broadcasts counts the broadcasts stored.
func (b *schedulePollBundle) broadcasts(t *testing.T) int {
	t.Helper()
	var n int
	if err := b.store.DB().NewRaw("SELECT COUNT(*) FROM broadcasts").Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestScheduledPollClosing(t *testing.T) {
	for _, tt := range []struct {
		name, cmd, closes string
		in                time.Duration
	}{
		{"at a time", "schedule in 30m poll crew Coming? | yes | no --closes 18:00", "18:00 (1h57m after it is sent)", 117 * time.Minute},
		{"on a cron", `schedule "0 9 * * *" poll crew Lunch? | pizza | salad --closes "in 1h"`, "1h after each run (the first: Mon Dec 2 10:00)", time.Hour},
		{"in quotes", `schedule in 30m poll crew Coming? | yes | no --confirm "Thanks" --closes 'in 1h30m'`, "17:33 (1h30m after it is sent)", 90 * time.Minute},
		{"no closing", "schedule in 30m poll crew Coming? | yes | no", "", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := setupSchedulePolls(t)
			b.clock.Advance(700 * time.Millisecond) // times are read to the second
			m := b.do("alice", tt.cmd)[0]
			if got := fieldMap(m)["Closes"]; got != tt.closes {
				t.Errorf("%s: Closes = %q, want %q", m.Title, got, tt.closes)
			}
			if q := b.stored(t, 1).Poll; q == nil || q.ClosesIn != tt.in {
				t.Errorf("stored %+v, want closing %v after the run", q, tt.in)
			}
		})
	}
}

func TestScheduledPollBadInputWritesNothing(t *testing.T) {
	b := setupSchedulePolls(t)
	b.shuttlePoll(t)
	for _, tt := range []struct{ cmd, want string }{
		{"schedule in 2h poll crew Coming? | yes | no --closes 16:00",
			`the poll would close Sun 1 Dec 16:00 UTC (in 27m), before it is sent Sun 1 Dec 17:33 UTC (in 2h): give a later --closes, or "in 2h" for 2 hours after it is sent`},
		{`schedule "0 9 * * *" poll crew Coming? | yes | no --closes 18:00`, `a recurring poll closes a while after each run: write --closes "in 2h", not a time`},
		{"schedule in 30m poll poll:99=1 Coming? | yes | no", "there is no poll #99"},
		{"schedule in 30m poll poll:1=3 Coming? | yes | no", "poll #1 has options 1 to 2"},
		{"schedule in 30m poll vips Coming? | yes | no", `there is no list named "vips"`},
		{"schedule in 30m poll crew Coming? | yes", "this one has 1"},
		{"schedule in 30m poll crew Coming?", "usage: /sms schedule <when> poll <list> <question> | <option>"},
		{`schedule in 30m poll crew Coming? | yes | no --closes "0 9 * * *"`, "a poll closes once"},
		{"schedule in 30m poll crew Coming? | yes | no --closes 2020-01-01 10:00", "has passed"},
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

func TestScheduledPollPostsItsTally(t *testing.T) {
	b := setupSchedulePolls(t)
	b.do("alice", `schedule in 30m poll crew Which shuttle? | 5 pm shuttle | 7 pm shuttle --closes "in 2h"`)
	b.click(t, "alice", "sapprove:1")
	if started := b.fire(t, 30*time.Minute); !strings.HasPrefix(started.Title, "⏰ Schedule #1 started") {
		t.Fatalf("notice = %q", started.Title)
	}
	tally := b.waitPost(t, "📊 Poll #1 to crew: Which shuttle?")
	if f := fieldMap(tally); f["Status"] != "open until 18:03" || f["Answered"] != "none yet: the texts are going out" && f["Answered"] != "0 of 4 (0%)" {
		t.Fatalf("tally fields %v", f)
	}
	if n := b.sentTo(t, 1); n != 4 {
		t.Fatalf("the poll went to %d, want 4", n)
	}
	b.text(t, 1, "2")
	if got := b.tally(t); fieldMap(got)["Answered"] != "1 of 4 (25%)" {
		t.Fatalf("tally after an answer: %+v", got)
	}
}

func TestScheduledSendPostsNoTally(t *testing.T) {
	b := setupSchedulePolls(t)
	b.do("alice", "schedule in 30m crew Dinner is served")
	b.click(t, "alice", "sapprove:1")
	b.fire(t, 30*time.Minute)
	b.sentTo(t, 1)
	if _, m, ok := b.conv.find("📊"); ok {
		t.Fatalf("a send posted a tally: %+v", m)
	}
}

func TestSchedulesListPollsAndGroups(t *testing.T) {
	b := setupSchedulePolls(t)
	b.shuttlePoll(t)
	b.do("alice", "schedule in 30m poll:1=2 The 7 pm shuttle leaves from Gate B")
	b.do("alice", `schedule "0 9 * * *" poll crew Which shuttle? | 5 pm shuttle | 7 pm shuttle --closes "in 2h"`)
	b.do("alice", "schedule in 1h poll poll:1=none Still coming? | yes | no")
	b.router.Click(context.Background(), bot.Click{User: "alice", Action: "sapprove:2", Message: "preview 2"}, b.conv)
	list := b.do("bob", "schedules")[0].Text
	for _, want := range []string{
		"#1 at Sun 1 Dec 16:03 UTC (in 30m) · poll:1=2 on crew · The 7 pm shuttle leaves from… · waiting for approval",
		"#3 at Sun 1 Dec 16:33 UTC (in 1h) · poll:1=none on crew · poll: Still coming? (2 options) · waiting for approval",
		`#2 on "0 9 * * *" (UTC), next Mon 2 Dec 09:00 UTC (in 17h 27m) · crew · poll: Which shuttle? (2 options) · approved by alice`,
	} {
		if !strings.Contains(list, want) {
			t.Errorf("schedules:\n%s\nwant a line %q", list, want)
		}
	}
	if got := b.conv.last("preview 2"); !strings.HasPrefix(got.Title, `Scheduled poll #2 to crew, on "0 9 * * *"`) {
		t.Errorf("approved poll's title = %q", got.Title)
	}
	if got := b.do("alice", "unschedule 3")[0].Text; !strings.Contains(got, "Scheduled poll #3 to poll:1=none on crew removed by alice") {
		t.Errorf("unschedule = %q", got)
	}
}
