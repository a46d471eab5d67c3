package broadcast_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/broadcast/sim"
)

// Cancel holds every text at once, even while the run's counts cannot be
// reloaded: texts already claimed do not go out after Cancel returned.
func TestEngineCancelWhileRunLoadFails(t *testing.T) {
	ctx := context.Background()
	fake := clockwork.NewFakeClockAt(t0)
	carrier := sim.New(sim.Config{Clock: fake})
	var fl *flakyLoads
	b := setup(t, testOpts{clock: fake, sim: carrier, engine: func(c *broadcast.Config) {
		fl = &flakyLoads{Store: c.Store}
		c.Store = fl
		c.BackoffBase, c.BackoffMax = 2*time.Second, 5*time.Minute // the defaults
	}})
	b.addSenders(t, 1, "+12065550101")
	b.addContacts(t, "crew", 8, 0)
	p, ch := b.send(t, "crew", "Doors open")
	f := &feed{ch: ch}
	advanceUntil(t, fake, f, 50*time.Millisecond, func(p broadcast.Progress) bool { return p.Counts.Sent >= 2 })
	fl.arm(3, 0)
	if _, err := b.engine.Cancel(ctx, p.Broadcast.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	cancelledAt := fake.Now()
	final := advanceUntil(t, fake, f, 100*time.Millisecond, done)
	if c := final.Counts; final.Broadcast.Status != broadcast.StatusCancelled || c.Done()+c.Failed+c.Skipped != 8 {
		t.Fatalf("final: %s %+v", final.Broadcast.Status, c)
	}
	for _, m := range carrier.Sent() {
		if m.Created.After(cancelledAt) {
			t.Errorf("text to %s at +%v, after Cancel returned at +%v", m.To, m.Created.Sub(t0), cancelledAt.Sub(t0))
		}
	}
}

type flakyBroadcast struct {
	broadcast.Store
	left atomic.Int64
}

func (f *flakyBroadcast) Broadcast(ctx context.Context, id int64) (broadcast.Broadcast, error) {
	if f.left.Add(-1) >= 0 {
		return broadcast.Broadcast{}, errBusy
	}
	return f.Store.Broadcast(ctx, id)
}

// Pause holds the broadcast even when reading it back fails once:
// claimed texts do not go out after Pause returned, Status says paused,
// and WaitIdle returns.
func TestEnginePauseWhileBroadcastReadFails(t *testing.T) {
	ctx := context.Background()
	fake := clockwork.NewFakeClockAt(t0)
	carrier := sim.New(sim.Config{Clock: fake})
	var fl *flakyBroadcast
	b := setup(t, testOpts{clock: fake, sim: carrier, engine: func(c *broadcast.Config) {
		fl = &flakyBroadcast{Store: c.Store}
		c.Store = fl
	}})
	b.addSenders(t, 1, "+12065550101")
	b.addContacts(t, "crew", 8, 0)
	p, ch := b.send(t, "crew", "Doors open")
	f := &feed{ch: ch}
	advanceUntil(t, fake, f, 50*time.Millisecond, func(p broadcast.Progress) bool { return p.Counts.Sent >= 2 })
	fl.left.Store(1)
	if _, err := b.engine.Pause(ctx, p.Broadcast.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	pausedAt := fake.Now()
	stepClockUntil(t, fake, 100*time.Millisecond, "10 s", func() bool { return fake.Since(pausedAt) >= 10*time.Second })
	for _, m := range carrier.Sent() {
		if m.Created.After(pausedAt) {
			t.Errorf("text to %s at +%v, after Pause returned at +%v", m.To, m.Created.Sub(t0), pausedAt.Sub(t0))
		}
	}
	if st, err := b.engine.Status(ctx, p.Broadcast.ID); err != nil || st.Broadcast.Status != broadcast.StatusPaused {
		t.Errorf("status after Pause: %s %+v, %v", st.Broadcast.Status, st.Counts, err)
	}
	wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := b.engine.WaitIdle(wctx); err != nil {
		t.Errorf("WaitIdle with the only broadcast paused: %v", err)
	}
}

// A cancelled broadcast whose ambiguous text was not reconciled before a
// restart is reported only once that text settles, and the report adds up.
func TestEngineCancelledBroadcastReportAfterRestart(t *testing.T) {
	const victim = "+12065550000"
	ctx := context.Background()
	db := testDB(t)
	fake := clockwork.NewFakeClockAt(t0)
	tried := make(chan struct{}, 1)
	carrier := sim.New(sim.Config{Clock: fake, Fault: func(m broadcast.Outgoing, attempt int) (error, bool) {
		if m.To == victim && attempt == 1 {
			tried <- struct{}{}
			return &broadcast.SendError{Class: broadcast.Ambiguous, Message: "no answer", Err: errNoAnswer}, true
		}
		return nil, false
	}})
	b := setup(t, testOpts{clock: fake, sim: carrier, dbPath: db, engine: func(c *broadcast.Config) { c.ReconcileDelay = time.Minute }})
	b.addSenders(t, 1, "+12065550101")
	b.addContacts(t, "crew", 5, 0)
	p, _ := b.send(t, "crew", "Shuttle leaves at 9")
	select {
	case <-tried:
	case <-time.After(10 * time.Second):
		t.Fatal("never sent")
	}
	if _, err := b.engine.Cancel(ctx, p.Broadcast.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	stepClockUntil(t, fake, 10*time.Millisecond, "releases", func() bool {
		c, err := b.store.Counts(ctx, p.Broadcast.ID)
		return err == nil && c.Sending == 1 && c.Queued == 0
	})
	b.engine.Close()
	b.store.Close()
	again := setup(t, testOpts{clock: fake, sim: carrier, dbPath: db, engine: func(c *broadcast.Config) { c.ReconcileDelay = time.Minute }})
	ch, stop, err := again.engine.Subscribe(ctx, p.Broadcast.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	var first broadcast.Progress
	select {
	case first = <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("no progress after the restart")
	}
	if c := first.Counts; first.Done && c.Done()+c.Failed+c.Skipped != c.Total {
		t.Errorf("final report after restart does not add up: %+v", c)
	}
	f := &feed{ch: ch}
	stepClockUntil(t, fake, time.Second, "reconciled", func() bool {
		c, err := again.store.Counts(ctx, p.Broadcast.ID)
		return err == nil && c.Sending == 0
	})
	if _, ok := f.poll(); !ok {
		t.Errorf("no report after the reconciliation settled the last text")
	}
}
