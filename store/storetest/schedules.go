package storetest

import (
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/scheduler"
)

// schedule stores a pending schedule to crew.
func (b *bundle) schedule(spec string, at time.Time) scheduler.Schedule {
	b.t.Helper()
	l, err := b.st.ListByName(b.ctx, "crew")
	b.check(err, "list")
	sc, err := b.st.CreateSchedule(b.ctx, scheduler.Schedule{Spec: spec, At: at, TZ: "America/Los_Angeles", ListID: l.ID,
		Body: "Dinner is served", Status: scheduler.Pending, RequestedBy: "alice", CreatedAt: b.clock.Now()})
	b.check(err, "create schedule")
	return sc
}

func (b *bundle) setSchedule(id int64, from, to scheduler.Status, next time.Time) scheduler.Schedule {
	b.t.Helper()
	sc, err := b.st.SetSchedule(b.ctx, id, []scheduler.Status{from}, to, next, "bob", b.clock.Now())
	b.check(err, "set schedule")
	return sc
}

func testSchedules(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		"CreateApproveAndList": func(b *bundle) {
			b.members("crew", 0, 1)
			at := t0.Add(time.Hour)
			one := b.schedule("", at)
			if one.ID == 0 || one.Status != scheduler.Pending || !one.At.Equal(at) || one.ListName != "crew" || one.TZ != "America/Los_Angeles" ||
				one.RequestedBy != "alice" || one.ApprovedAt != nil || !one.NextRun.IsZero() || !one.CreatedAt.Equal(t0) {
				b.t.Fatalf("created %+v", one)
			}
			cron := b.schedule("0 9 * * *", time.Time{})
			if cron.Spec != "0 9 * * *" || !cron.At.IsZero() {
				b.t.Fatalf("created %+v", cron)
			}
			b.clock.Advance(time.Minute)
			approved := b.setSchedule(one.ID, scheduler.Pending, scheduler.Active, at)
			if approved.Status != scheduler.Active || approved.ApprovedBy != "bob" || approved.ApprovedAt == nil ||
				!approved.ApprovedAt.Equal(t0.Add(time.Minute)) || !approved.NextRun.Equal(at) {
				b.t.Fatalf("approved %+v", approved)
			}
			_, err := b.st.SetSchedule(b.ctx, one.ID, []scheduler.Status{scheduler.Pending}, scheduler.Active, at, "carol", b.clock.Now())
			b.wantCode(err, broadcast.ECONFLICT, "approving twice")
			_, err = b.st.SetSchedule(b.ctx, one.ID+10, []scheduler.Status{scheduler.Pending}, scheduler.Active, at, "carol", b.clock.Now())
			b.wantCode(err, broadcast.ENOTFOUND, "approving an unknown schedule")
			_, err = b.st.Schedule(b.ctx, one.ID+10)
			b.wantCode(err, broadcast.ENOTFOUND, "an unknown schedule")
			sooner := b.setSchedule(cron.ID, scheduler.Pending, scheduler.Active, t0.Add(30*time.Minute))
			got, err := b.st.Schedules(b.ctx, scheduler.Active)
			b.check(err, "schedules")
			if len(got) != 2 || got[0].ID != sooner.ID || got[1].ID != one.ID {
				b.t.Fatalf("active schedules = %+v, want soonest first", got)
			}
			b.setSchedule(one.ID, scheduler.Active, scheduler.Cancelled, time.Time{})
			if got, err := b.st.Schedules(b.ctx, scheduler.Active, scheduler.Pending); err != nil || len(got) != 1 || got[0].ID != cron.ID {
				b.t.Fatalf("active and pending after cancelling one = %+v, %v", got, err)
			}
			if got, err := b.st.Schedule(b.ctx, one.ID); err != nil || got.Status != scheduler.Cancelled || !got.NextRun.IsZero() {
				b.t.Fatalf("cancelled schedule = %+v, %v", got, err)
			}
			entries, err := b.st.Audit(b.ctx, 3)
			b.check(err, "audit")
			if len(entries) != 3 || entries[0].Action != "schedule.cancelled" || entries[1].Action != "schedule.approve" || entries[2].Action != "schedule.approve" {
				b.t.Fatalf("audit = %+v", entries)
			}
		},
		"RunsAreClaimedOnce": func(b *bundle) {
			b.sender("+12065550101", 1)
			b.members("crew", 0, 1)
			first, second := t0.Add(time.Hour), t0.Add(25*time.Hour)
			sc := b.schedule("0 8 * * *", time.Time{})
			b.setSchedule(sc.ID, scheduler.Pending, scheduler.Active, first)
			br := b.pending("crew", "Dinner is served")
			claim := func(runAt time.Time, broadcastID int64, next time.Time, final bool) bool {
				ok, err := b.st.ClaimRun(b.ctx, sc.ID, runAt, broadcastID, next, final, b.clock.Now())
				b.check(err, "claim run")
				return ok
			}
			if !claim(first, br.ID, second, false) {
				b.t.Fatal("the first claim of a run was refused")
			}
			got, err := b.st.Schedule(b.ctx, sc.ID)
			b.check(err, "schedule")
			if got.Status != scheduler.Active || !got.NextRun.Equal(second) || !got.LastRun.Equal(first) {
				b.t.Fatalf("after the claim: %+v", got)
			}
			if claim(first, br.ID, t0.Add(49*time.Hour), true) {
				b.t.Fatal("a run was claimed twice")
			}
			if again, err := b.st.Schedule(b.ctx, sc.ID); err != nil || !again.NextRun.Equal(second) || again.Status != scheduler.Active {
				b.t.Fatalf("a refused claim moved the schedule: %+v, %v", again, err)
			}
			runs, err := b.st.OpenRuns(b.ctx)
			b.check(err, "open runs")
			if len(runs) != 1 || runs[0].ScheduleID != sc.ID || !runs[0].At.Equal(first) || runs[0].BroadcastID != br.ID {
				b.t.Fatalf("open runs = %+v", runs)
			}
			b.check(b.st.StartRun(b.ctx, sc.ID, first), "start run")
			if runs, err := b.st.OpenRuns(b.ctx); err != nil || len(runs) != 0 {
				b.t.Fatalf("open runs after start = %+v, %v", runs, err)
			}
			// The last run of a schedule, claimed without a broadcast, ends it.
			if !claim(second, 0, time.Time{}, true) {
				b.t.Fatal("the second run was refused")
			}
			if done, err := b.st.Schedule(b.ctx, sc.ID); err != nil || done.Status != scheduler.Done || !done.NextRun.IsZero() || !done.LastRun.Equal(second) {
				b.t.Fatalf("after the final run: %+v, %v", done, err)
			}
			if runs, err := b.st.OpenRuns(b.ctx); err != nil || len(runs) != 1 || runs[0].BroadcastID != 0 {
				b.t.Fatalf("open runs = %+v, %v", runs, err)
			}
		},
	})
}
