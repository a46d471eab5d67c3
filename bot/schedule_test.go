package bot_test

import (
	"context"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot"
	"smsbot/scheduler"
)

func setupSchedules(t *testing.T) (*routerBundle, *scheduler.Scheduler) {
	t.Helper()
	clock := clockwork.NewFakeClockAt(time.Date(2026, 12, 1, 15, 33, 0, 0, time.UTC))
	b := setupWith(t, bot.Config{Admins: []string{"alice", "bob"}, Approvers: []string{"alice", "bob"}})
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	s, err := scheduler.New(scheduler.Config{Store: b.store, Engine: b.engine, Location: la, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	b.router = bot.New(bot.Config{Engine: b.engine, Directory: b.store, Scheduler: s,
		Admins: []string{"alice", "bob"}, Approvers: []string{"alice", "bob"}, Clock: clock})
	t.Cleanup(b.router.Close)
	b.do("alice", "numbers add +12065550101 10")
	b.do("alice", "add crew +12065550001 Ada")
	return b, s
}

func TestScheduleCommands(t *testing.T) {
	b, _ := setupSchedules(t)
	posts := b.do("alice", "schedule tomorrow 18:45 crew Dinner is served")
	if len(posts) != 1 || !strings.Contains(posts[0].Title, "Schedule #1 to crew, at Wed 2 Dec 18:45 PST (in 1d 11h): waiting for approval") {
		t.Fatalf("preview: %+v", posts)
	}
	if got := b.click("alice", "sapprove:1"); len(got) != 1 || !strings.Contains(got[0].Text, "another approver") {
		t.Fatalf("self-approval: %+v", got)
	}
	if got := b.click("mallory", "sapprove:1"); len(got) != 1 || !strings.Contains(got[0].Text, "only approvers") {
		t.Fatalf("stranger's approval: %+v", got)
	}
	if got := b.click("bob", "sapprove:1"); len(got) != 0 {
		t.Fatalf("approval answered %+v", got)
	}
	if got := b.click("bob", "sapprove:1"); len(got) != 1 || !strings.Contains(got[0].Text, "already approved by bob") {
		t.Fatalf("second approval: %+v", got)
	}
	list := b.do("mallory", "schedules")[0]
	if !strings.Contains(list.Text, "#1 at Wed 2 Dec 18:45 PST (in 1d 11h) · crew · Dinner is served · approved by bob") {
		t.Fatalf("schedules: %s", list.Text)
	}
	if got := b.do("mallory", "unschedule 1"); !strings.Contains(got[0].Text, "only smsbot admins") {
		t.Fatalf("stranger's unschedule: %+v", got)
	}
	if got := b.do("alice", "unschedule #1"); !strings.Contains(got[0].Text, "Schedule #1 to crew removed by alice") {
		t.Fatalf("unschedule: %+v", got)
	}
	if got := b.do("alice", "schedules"); !strings.Contains(got[0].Text, "Nothing is scheduled") {
		t.Fatalf("schedules after unschedule: %+v", got)
	}
}

func TestScheduleBadInputWritesNothing(t *testing.T) {
	b, _ := setupSchedules(t)
	for _, tt := range []struct{ cmd, want string }{
		{"schedule", "usage: /sms schedule <when> <list> <message>"},
		{"schedule 6:45 crew x", "did you mean 06:45 or 18:45?"},
		{"schedule 0 9 * * * crew x", `put the cron spec in quotes: "0 9 * * *"`},
		{"schedule in 30m nosuch x", `no list named "nosuch"`},
		{"schedule in 30m crew", "the message is empty"},
		{"unschedule 7", "there is no schedule #7"},
		{"unschedule soon", `"soon" is not a schedule id`},
	} {
		before, beforeSchedules := b.rows(t), countSchedules(t, b)
		posts := b.do("alice", tt.cmd)
		if len(posts) != 1 || !posts[0].Ephemeral || !strings.Contains(posts[0].Text, tt.want) {
			t.Errorf("%q answered %+v, want %q", tt.cmd, posts, tt.want)
		}
		if after := b.rows(t); !maps.Equal(after, before) {
			t.Errorf("%q wrote something: %v → %v", tt.cmd, before, after)
		}
		if after := countSchedules(t, b); after != beforeSchedules {
			t.Errorf("%q changed the schedules: %v → %v", tt.cmd, beforeSchedules, after)
		}
	}
	if n := countSchedules(t, b); n != [2]int{} {
		t.Fatalf("schedules and runs stored from bad input: %v", n)
	}
}

// countSchedules counts the rows of the schedules and schedule_runs tables,
// which the router bundle's rows do not cover.
func countSchedules(t *testing.T, b *routerBundle) [2]int {
	t.Helper()
	var n [2]int
	for i, table := range []string{"schedules", "schedule_runs"} {
		if err := b.store.DB().NewRaw("SELECT COUNT(*) FROM "+table).Scan(context.Background(), &n[i]); err != nil {
			t.Fatal(err)
		}
	}
	return n
}
