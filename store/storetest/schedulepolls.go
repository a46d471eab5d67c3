package storetest

import (
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/scheduler"
)

// testSchedulePolls checks that a schedule's answer group and scheduled
// poll are stored and read back (schedules.group_poll, group_option and
// poll).
func testSchedulePolls(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		"GroupAndPollRoundTrip": func(b *bundle) {
			b.members("crew", 0, 2)
			p := b.pollTo("crew", shuttle)
			l, err := b.st.ListByName(b.ctx, "crew")
			b.check(err, "list")
			g := broadcast.Group{Poll: p.ID, Option: 2}
			group, err := b.st.CreateSchedule(b.ctx, scheduler.Schedule{At: t0.Add(time.Hour), TZ: "UTC", ListID: l.ID, ListName: l.Name,
				Group: g, Body: "Gate B", Status: scheduler.Pending, RequestedBy: "alice", CreatedAt: b.clock.Now()})
			b.check(err, "create group schedule")
			none, err := b.st.CreateSchedule(b.ctx, scheduler.Schedule{At: t0.Add(time.Hour), TZ: "UTC", ListID: l.ID, ListName: l.Name,
				Group: broadcast.Group{Poll: p.ID}, Body: "Still time", Status: scheduler.Pending, RequestedBy: "alice", CreatedAt: b.clock.Now()})
			b.check(err, "create non-responders schedule")
			q := &scheduler.Question{Text: "Lunch?", Options: []string{"pizza", "salad 🥗"}, Confirm: "Got it: {answer}", ClosesIn: 90 * time.Minute}
			asks, err := b.st.CreateSchedule(b.ctx, scheduler.Schedule{Spec: "0 9 * * *", TZ: "UTC", ListID: l.ID, ListName: l.Name,
				Poll: q, Body: "Lunch?", Status: scheduler.Pending, RequestedBy: "alice", CreatedAt: b.clock.Now()})
			b.check(err, "create scheduled poll")
			plain := b.schedule("", t0.Add(time.Hour))
			for _, tt := range []struct {
				id    int64
				group broadcast.Group
				poll  *scheduler.Question
			}{{group.ID, g, nil}, {none.ID, broadcast.Group{Poll: p.ID}, nil}, {asks.ID, broadcast.Group{}, q}, {plain.ID, broadcast.Group{}, nil}} {
				got, err := b.st.Schedule(b.ctx, tt.id)
				b.check(err, "read schedule")
				if got.Group != tt.group {
					b.t.Errorf("schedule #%d: group %v, want %v", tt.id, got.Group, tt.group)
				}
				switch {
				case tt.poll == nil && got.Poll != nil:
					b.t.Errorf("schedule #%d: poll %+v, want none", tt.id, got.Poll)
				case tt.poll != nil && (got.Poll == nil || got.Poll.Text != q.Text || len(got.Poll.Options) != 2 || got.Poll.Options[1] != q.Options[1] ||
					got.Poll.Confirm != q.Confirm || got.Poll.ClosesIn != q.ClosesIn):
					b.t.Errorf("schedule #%d: poll %+v, want %+v", tt.id, got.Poll, q)
				}
			}
			all, err := b.st.Schedules(b.ctx, scheduler.Pending)
			b.check(err, "schedules")
			if len(all) != 4 {
				b.t.Fatalf("%d pending schedules, want 4", len(all))
			}
		},
	})
}
