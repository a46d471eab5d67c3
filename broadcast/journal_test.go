package broadcast_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/broadcast/latency"
	"smsbot/broadcast/sim"
)

// failingCommits is a store whose journal commits fail while broken is
// set, as on a full disk.
type failingCommits struct {
	broadcast.Store
	broken   atomic.Bool
	failures atomic.Int64
	// breakAfter, when set, breaks commits once that many outcomes landed.
	breakAfter int64
	outcomes   atomic.Int64
	tripped    atomic.Bool
}

var errDiskFull = errors.New("database or disk is full (SQLITE_FULL)")

func (f *failingCommits) Commit(ctx context.Context, c broadcast.Commit) ([][]int64, error) {
	if f.broken.Load() {
		f.failures.Add(1)
		return nil, errDiskFull
	}
	claimed, err := f.Store.Commit(ctx, c)
	if err == nil && f.breakAfter > 0 && f.outcomes.Add(int64(len(c.Outcomes))) >= f.breakAfter && f.tripped.CompareAndSwap(false, true) {
		f.broken.Store(true)
	}
	return claimed, err
}

// While commits fail, sending stops with the reason in the progress and
// no outcome is dropped; once the disk frees up, the broadcast finishes
// without a restart, one text per recipient.
func TestEngineCommitFailuresHoldThenFinish(t *testing.T) {
	fake := clockwork.NewFakeClockAt(t0)
	carrier := sim.New(sim.Config{Clock: fake, Latency: latency.Constant(100 * time.Millisecond)})
	var fs *failingCommits
	b := setup(t, testOpts{clock: fake, sim: carrier, engine: func(c *broadcast.Config) {
		fs = &failingCommits{Store: c.Store, breakAfter: 10}
		c.Store = fs
	}})
	b.addSenders(t, 10, "+12065550001", "+12065550002")
	phones := b.addContacts(t, "crew", 80, 0)
	_, ch := b.send(t, "crew", "Dinner is served")
	f := &feed{ch: ch}
	held := advanceUntil(t, fake, f, 200*time.Millisecond, func(p broadcast.Progress) bool { return p.Stalled != "" })
	if held.ETA != 0 || held.Broadcast.Status != broadcast.StatusSending {
		t.Fatalf("held: %s ETA %v", held.Broadcast.Status, held.ETA)
	}
	// Sending stops: a minute of failures sends at most what was in flight
	// or claimed when the disk filled.
	before := len(carrier.Sent())
	for range 300 {
		fake.Advance(200 * time.Millisecond)
		f.poll()
	}
	if extra := len(carrier.Sent()) - before; extra > 2*(2*4+2) {
		t.Fatalf("%d texts went out while nothing could be recorded", extra)
	}
	fs.broken.Store(false)
	final := advanceUntil(t, fake, f, 100*time.Millisecond, done)
	if final.Counts.Sent != 80 || final.Broadcast.Status != broadcast.StatusCompleted || final.Stalled != "" {
		t.Fatalf("final: %s %+v stalled %q", final.Broadcast.Status, final.Counts, final.Stalled)
	}
	checkOncePerRecipient(t, carrier.Sent(), phones)
	if fs.failures.Load() < 5 {
		t.Fatalf("only %d commits failed", fs.failures.Load())
	}
}

// An engine closed while its commits fail does not hang; the rows it
// could not settle are reconciled by the next start, never sent twice.
func TestEngineCloseWhileCommitsFail(t *testing.T) {
	ctx := context.Background()
	db := testDB(t)
	fake := clockwork.NewFakeClockAt(t0)
	carrier := sim.New(sim.Config{Clock: fake})
	var fs *failingCommits
	b := setup(t, testOpts{clock: fake, sim: carrier, dbPath: db, engine: func(c *broadcast.Config) {
		fs = &failingCommits{Store: c.Store, breakAfter: 3}
		c.Store = fs
	}})
	b.addSenders(t, 5, "+12065550001")
	phones := b.addContacts(t, "crew", 20, 0)
	p, ch := b.send(t, "crew", "Doors open")
	f := &feed{ch: ch}
	advanceUntil(t, fake, f, 200*time.Millisecond, func(p broadcast.Progress) bool { return p.Stalled != "" })
	closed := make(chan struct{})
	go func() {
		b.engine.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close hung while commits failed")
	}
	b.store.Close()

	again := setup(t, testOpts{clock: fake, sim: carrier, dbPath: db})
	ch2, stop, err := again.engine.Subscribe(ctx, p.Broadcast.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	final := advanceUntil(t, fake, &feed{ch: ch2}, 100*time.Millisecond, done)
	if final.Counts.Sent != 20 {
		t.Fatalf("after restart: %+v", final.Counts)
	}
	checkOncePerRecipient(t, carrier.Sent(), phones)
}
