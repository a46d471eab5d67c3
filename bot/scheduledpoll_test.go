package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"smsbot/bot"
)

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
