package scheduler_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/broadcast/sim"
	"smsbot/scheduler"
	"smsbot/store"
)

// event is what the notifier was told.
type event struct {
	kind      string // fired, missed, skipped, failed
	schedule  scheduler.Schedule
	broadcast broadcast.Broadcast
	at        time.Time
	n         int
}

type notifier chan event

func (n notifier) Fired(_ context.Context, s scheduler.Schedule, b broadcast.Broadcast) {
	n <- event{kind: "fired", schedule: s, broadcast: b}
}
func (n notifier) Missed(_ context.Context, s scheduler.Schedule, at time.Time) {
	n <- event{kind: "missed", schedule: s, at: at}
}
func (n notifier) Skipped(_ context.Context, s scheduler.Schedule, k int, last time.Time) {
	n <- event{kind: "skipped", schedule: s, n: k, at: last}
}
func (n notifier) Failed(_ context.Context, s scheduler.Schedule, err error) {
	n <- event{kind: "failed", schedule: s}
}

type bundle struct {
	t      *testing.T
	clock  *clockwork.FakeClock
	store  *store.Store
	engine *broadcast.Engine
	sched  *scheduler.Scheduler
	events notifier
	loc    *time.Location
}

func setup(t *testing.T, start time.Time) *bundle {
	t.Helper()
	ctx := context.Background()
	b := &bundle{t: t, clock: clockwork.NewFakeClockAt(start), events: make(notifier, 100), loc: start.Location()}
	var err error
	b.store, err = store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "smsbot.db"), Now: b.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	// The engine sends on the real clock: only the scheduler's time is faked.
	b.engine, err = broadcast.New(broadcast.Config{Store: b.store, Provider: sim.New(sim.Config{})})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.engine.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.engine.AddSender(ctx, "+12065550101", 100, "test"); err != nil {
		t.Fatal(err)
	}
	for phone, name := range map[string]string{"+12065550001": "Ada", "+12065550002": "Grace"} {
		if _, err := b.store.AddMember(ctx, "crew", phone, name, "test"); err != nil {
			t.Fatal(err)
		}
	}
	b.restart()
	t.Cleanup(func() {
		b.sched.Close()
		if err := b.engine.Close(); err != nil {
			t.Error(err)
		}
		if err := b.store.Close(); err != nil {
			t.Error(err)
		}
	})
	return b
}

// restart replaces the scheduler, as a restarted process would.
func (b *bundle) restart() {
	b.t.Helper()
	if b.sched != nil {
		b.sched.Close()
	}
	var err error
	b.sched, err = scheduler.New(scheduler.Config{Store: b.store, Engine: b.engine, Notifier: b.events,
		Location: b.loc, Clock: b.clock})
	if err != nil {
		b.t.Fatal(err)
	}
	if err := b.sched.Start(context.Background(), nil); err != nil {
		b.t.Fatal(err)
	}
}

func (b *bundle) schedule(when string) scheduler.Schedule {
	b.t.Helper()
	ctx := context.Background()
	sc, _, err := b.sched.Plan(ctx, when+" crew Dinner is served", "alice")
	if err != nil {
		b.t.Fatal(err)
	}
	if sc, err = b.sched.Approve(ctx, sc.ID, "bob"); err != nil {
		b.t.Fatal(err)
	}
	return sc
}

// idle waits until the scheduler sleeps with n timers and checks that it
// said nothing meanwhile.
func (b *bundle) idle(n int) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.clock.BlockUntilContext(ctx, n); err != nil {
		b.t.Fatalf("scheduler never slept on %d timers: %v", n, err)
	}
	select {
	case e := <-b.events:
		b.t.Fatalf("unexpected %s of schedule #%d", e.kind, e.schedule.ID)
	default:
	}
}

func (b *bundle) next(kind string) event {
	b.t.Helper()
	select {
	case e := <-b.events:
		if e.kind != kind {
			b.t.Fatalf("got %s of schedule #%d, want %s", e.kind, e.schedule.ID, kind)
		}
		return e
	case <-time.After(10 * time.Second):
		b.t.Fatalf("no %s event", kind)
	}
	return event{}
}

// runs counts the schedule's claimed runs that have a broadcast.
func (b *bundle) runs(id int64) int {
	b.t.Helper()
	return b.count("SELECT COUNT(*) FROM schedule_runs WHERE schedule_id = ? AND broadcast_id IS NOT NULL", id)
}

// broadcasts counts the broadcasts in status.
func (b *bundle) broadcasts(status broadcast.Status) int {
	b.t.Helper()
	return b.count("SELECT COUNT(*) FROM broadcasts WHERE status = ?", status)
}

// count runs a COUNT query; a query that fails fails the test, so that a
// count of 0 means there are none.
func (b *bundle) count(query string, args ...any) int {
	b.t.Helper()
	n := -1
	if err := b.store.DB().NewRaw(query, args...).Scan(context.Background(), &n); err != nil {
		b.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// stored returns the schedule as the store has it.
func (b *bundle) stored(id int64) scheduler.Schedule {
	b.t.Helper()
	sc, err := b.store.Schedule(context.Background(), id)
	if err != nil {
		b.t.Fatal(err)
	}
	return sc
}

var t0 = time.Date(2026, 12, 1, 15, 33, 0, 0, time.UTC)

func TestOneShotFiresOnTime(t *testing.T) {
	b := setup(t, t0)
	sc := b.schedule("in 30m")
	if !sc.NextRun.Equal(t0.Add(30*time.Minute)) || sc.ApprovedBy != "bob" {
		t.Fatalf("schedule = %+v", sc)
	}
	b.idle(1)
	b.clock.Advance(30*time.Minute - time.Second)
	b.idle(1)
	b.clock.Advance(time.Second)
	e := b.next("fired")
	if e.broadcast.ApprovedBy != "bob" || e.broadcast.RequestedBy != "alice" || e.broadcast.ListName != "crew" {
		t.Fatalf("broadcast = %+v", e.broadcast)
	}
	got := b.stored(sc.ID)
	if got.Status != scheduler.Done || b.runs(sc.ID) != 1 {
		t.Fatalf("after firing: %s, %d runs", got.Status, b.runs(sc.ID))
	}
	b.idle(0) // nothing left to wait for
}

func TestRecurringAcrossDST(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 10, 31, 8, 0, 0, 0, la)
	b := setup(t, start)
	sc := b.schedule(`"0 9 * * *"`)
	seen := map[int64]bool{}
	for i, wait := range []time.Duration{time.Hour, 25 * time.Hour, 24 * time.Hour} {
		b.idle(1)
		b.clock.Advance(wait - time.Second)
		b.idle(1)
		b.clock.Advance(time.Second)
		e := b.next("fired")
		if h := b.clock.Now().In(la).Hour(); h != 9 {
			t.Fatalf("run %d fired at %v, want 09:00 local", i+1, b.clock.Now().In(la))
		}
		if e.schedule.ID != sc.ID || e.broadcast.ID == 0 || seen[e.broadcast.ID] || e.broadcast.ListName != "crew" {
			t.Fatalf("run %d fired schedule #%d as broadcast %+v (fired before: %v)", i+1, e.schedule.ID, e.broadcast, seen)
		}
		seen[e.broadcast.ID] = true
		if n := b.runs(sc.ID); n != i+1 {
			t.Fatalf("after run %d: %d runs recorded", i+1, n)
		}
	}
	if got := b.stored(sc.ID); got.Status != scheduler.Active || got.NextRun.In(la).Hour() != 9 {
		t.Fatalf("after three runs: %s, next %v", got.Status, got.NextRun.In(la))
	}
}

func TestMisfiredOneShotWaitsForStaff(t *testing.T) {
	for _, choice := range []string{"send now", "drop"} {
		t.Run(choice, func(t *testing.T) {
			b := setup(t, t0)
			ctx := context.Background()
			sc := b.schedule("in 10m")
			b.sched.Close() // the bot is down…
			b.clock.Advance(time.Hour)
			b.restart() // …and back an hour later
			e := b.next("missed")
			if !e.at.Equal(t0.Add(10*time.Minute)) || e.schedule.Status != scheduler.Missed {
				t.Fatalf("missed event = %+v", e)
			}
			if n := b.broadcasts(broadcast.StatusSending) + b.broadcasts(broadcast.StatusCompleted); n != 0 {
				t.Fatal("a missed schedule was sent late")
			}
			if choice == "drop" {
				if _, err := b.sched.Drop(ctx, sc.ID, "carol"); err != nil {
					t.Fatal(err)
				}
				b.idle(0)
				if _, err := b.sched.SendNow(ctx, sc.ID, "carol"); broadcast.ErrorCode(err) != broadcast.ECONFLICT {
					t.Fatalf("send now after drop: %v", err)
				}
				return
			}
			if _, err := b.sched.SendNow(ctx, sc.ID, "carol"); err != nil {
				t.Fatal(err)
			}
			if e := b.next("fired"); e.broadcast.ApprovedBy != "bob" {
				t.Fatalf("fired %+v", e.broadcast)
			}
		})
	}
}

func TestRecurringSkipsMissedRuns(t *testing.T) {
	b := setup(t, t0) // 15:33
	sc := b.schedule(`"*/15 * * * *"`)
	b.sched.Close()
	b.clock.Advance(time.Hour) // 16:33: 15:45, 16:00, 16:15 and 16:30 passed
	b.restart()
	e := b.next("skipped")
	if e.n != 3 || !e.at.Equal(time.Date(2026, 12, 1, 16, 15, 0, 0, time.UTC)) {
		t.Fatalf("skipped %d runs, last %v", e.n, e.at)
	}
	b.next("fired") // 16:30 is within the grace: it goes, 3 minutes late
	got := b.stored(sc.ID)
	if !got.NextRun.Equal(time.Date(2026, 12, 1, 16, 45, 0, 0, time.UTC)) {
		t.Fatalf("next run %v", got.NextRun)
	}
	b.idle(1)
	b.clock.Advance(12 * time.Minute) // 16:45
	b.next("fired")
}

func TestRestartAroundTheFireTime(t *testing.T) {
	t.Run("just before: fires once, a little late", func(t *testing.T) {
		b := setup(t, t0)
		sc := b.schedule("in 10m")
		b.idle(1)
		b.clock.Advance(10*time.Minute - time.Second)
		b.idle(1)
		b.sched.Close()
		b.clock.Advance(31 * time.Second) // down across the fire time
		b.restart()
		b.next("fired")
		b.restart()
		b.restart()
		b.idle(0)
		if n := b.runs(sc.ID); n != 1 {
			t.Fatalf("%d runs", n)
		}
	})
	t.Run("just after: two restarts in the same minute fire nothing more", func(t *testing.T) {
		b := setup(t, t0)
		sc := b.schedule("in 10m")
		b.idle(1)
		b.clock.Advance(10 * time.Minute)
		b.next("fired")
		b.clock.Advance(10 * time.Second)
		b.restart()
		b.clock.Advance(10 * time.Second)
		b.restart()
		b.idle(0)
		if n := b.runs(sc.ID); n != 1 || b.broadcasts(broadcast.StatusPending) != 0 {
			t.Fatalf("%d runs, %d pending broadcasts", n, b.broadcasts(broadcast.StatusPending))
		}
	})
	t.Run("crash between claim and start: started once at restart", func(t *testing.T) {
		b := setup(t, t0)
		ctx := context.Background()
		sc := b.schedule("in 10m")
		b.sched.Close()
		b.clock.Advance(10 * time.Minute)
		// What a crash right after claiming leaves: a claimed run whose
		// broadcast is prepared but not approved.
		p, err := b.engine.Prepare(ctx, broadcast.Draft{List: "crew", Body: "Dinner is served", RequestedBy: "alice"})
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := b.store.ClaimRun(ctx, sc.ID, sc.NextRun, p.Broadcast.ID, time.Time{}, true, b.clock.Now()); !ok || err != nil {
			t.Fatalf("claim: %v %v", ok, err)
		}
		b.restart()
		if e := b.next("fired"); e.broadcast.ID != p.Broadcast.ID {
			t.Fatalf("fired broadcast #%d, want #%d", e.broadcast.ID, p.Broadcast.ID)
		}
		b.restart()
		b.idle(0)
		if n := b.runs(sc.ID); n != 1 {
			t.Fatalf("%d runs", n)
		}
	})
}

func TestCancelWhileRunningAndUnschedule(t *testing.T) {
	b := setup(t, t0)
	ctx := context.Background()
	sc := b.schedule("in 10m")
	later := b.schedule("in 20m")
	if _, err := b.sched.Unschedule(ctx, later.ID, "carol"); err != nil {
		t.Fatal(err)
	}
	b.idle(1)
	b.clock.Advance(10 * time.Minute)
	e := b.next("fired")
	if _, err := b.engine.Cancel(ctx, e.broadcast.ID, "carol"); err != nil && broadcast.ErrorCode(err) != broadcast.ECONFLICT {
		t.Fatal(err)
	}
	b.idle(0)
	b.clock.Advance(time.Hour) // the unscheduled one's time passes
	b.idle(0)
	if n := b.runs(later.ID); n != 0 {
		t.Fatal("an unscheduled schedule fired")
	}
	if n := b.runs(sc.ID); n != 1 {
		t.Fatalf("%d runs", n)
	}
	if _, err := b.sched.Unschedule(ctx, later.ID, "carol"); broadcast.ErrorCode(err) != broadcast.ECONFLICT {
		t.Fatalf("second unschedule: %v", err)
	}
}

func TestApprovalRulesOfSchedules(t *testing.T) {
	b := setup(t, t0)
	ctx := context.Background()
	sc, p, err := b.sched.Plan(ctx, "in 5m crew Hi {{first_name}}", "alice")
	if err != nil || sc.Status != scheduler.Pending || p.Recipients() != 2 || p.Broadcast.ID != 0 {
		t.Fatalf("plan = %+v %+v %v", sc, p, err)
	}
	if n := b.broadcasts(broadcast.StatusPending); n != 0 {
		t.Fatal("planning a schedule created a broadcast")
	}
	if _, err := b.sched.Approve(ctx, sc.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.sched.Approve(ctx, sc.ID, "carol"); broadcast.ErrorMessage(err) != fmt.Sprintf("schedule #%d was already approved by bob", sc.ID) {
		t.Fatalf("second approve: %v", err)
	}
	// Approved too late: the time passed while it waited.
	late, _, err := b.sched.Plan(ctx, "in 1m crew x", "alice")
	if err != nil {
		t.Fatal(err)
	}
	b.clock.Advance(2 * time.Minute)
	if _, err := b.sched.Approve(ctx, late.ID, "bob"); broadcast.ErrorCode(err) != broadcast.ECONFLICT {
		t.Fatalf("late approve: %v", err)
	}
	for _, bad := range []string{"in 5m nosuchlist x", "in 5m crew", "in 5m", "soon crew x"} {
		if _, _, err := b.sched.Plan(ctx, bad, "alice"); broadcast.ErrorCode(err) == "" || broadcast.ErrorCode(err) == broadcast.EINTERNAL {
			t.Errorf("Plan(%q) = %v", bad, err)
		}
	}
}
