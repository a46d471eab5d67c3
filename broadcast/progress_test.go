package broadcast_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/broadcast/sim"
)

// gatedQueue holds every outbox batch after the first until open is
// closed, so a test can look at a broadcast whose outbox is half written.
type gatedQueue struct {
	broadcast.Store
	open    chan struct{}
	held    chan struct{} // closed when the second batch waits
	batches atomic.Int64
}

func (g *gatedQueue) QueueBatch(ctx context.Context, b broadcast.Broadcast, after int64, limit int, bal *broadcast.Balancer, tmpl *broadcast.Template, now time.Time) (int64, error) {
	if g.batches.Add(1) == 2 {
		close(g.held)
		<-g.open
	}
	return g.Store.QueueBatch(ctx, b, after, limit, bal, tmpl, now)
}

// While the outbox is written, progress says so instead of "Remaining: 0,
// ETA: 0s"; once it is complete, counts and ETA come from its rows.
func TestProgressWhileOutboxIsWritten(t *testing.T) {
	ctx := context.Background()
	gate := &gatedQueue{open: make(chan struct{}), held: make(chan struct{})}
	var opened sync.Once
	release := func() { opened.Do(func() { close(gate.open) }) }
	b := setup(t, testOpts{engine: func(c *broadcast.Config) {
		gate.Store = c.Store
		c.Store = gate
		c.BatchSize = 5
	}})
	t.Cleanup(release) // runs before the engine's Close
	b.addSenders(t, 1000, "+12065550001")
	b.addContacts(t, "crew", 20, 0)
	p, ch := b.send(t, "crew", "hello")
	select {
	case <-gate.held:
	case <-time.After(10 * time.Second):
		t.Fatal("the second batch was never written")
	}
	st, err := b.engine.Status(ctx, p.Broadcast.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Preparing || st.ETA != 0 || st.Done || st.Counts.Total > 5 {
		t.Fatalf("half-written outbox: preparing %v, ETA %v, done %v, %+v", st.Preparing, st.ETA, st.Done, st.Counts)
	}
	release()
	if final := waitDone(t, ch); final.Counts.Sent != 20 || final.Preparing {
		t.Fatalf("final %+v preparing %v", final.Counts, final.Preparing)
	}
}

// A paused broadcast shows no ETA, however long it stays paused; resumed,
// its ETA is its open rows at the sender's rate.
func TestProgressPausedHasNoETA(t *testing.T) {
	ctx := context.Background()
	fake := clockwork.NewFakeClockAt(t0)
	carrier := sim.New(sim.Config{Clock: fake})
	b := setup(t, testOpts{clock: fake, sim: carrier})
	b.addSenders(t, 1, "+12065550001")
	b.addContacts(t, "crew", 30, 0)
	p, ch := b.send(t, "crew", "hello")
	f := &feed{ch: ch}
	advanceUntil(t, fake, f, 50*time.Millisecond, func(p broadcast.Progress) bool { return p.Counts.Done() >= 3 })
	if _, err := b.engine.Pause(ctx, p.Broadcast.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		st, err := b.engine.Status(ctx, p.Broadcast.ID)
		if err != nil {
			t.Fatal(err)
		}
		if st.ETA != 0 || st.Broadcast.Status != broadcast.StatusPaused {
			t.Fatalf("paused: %s ETA %v", st.Broadcast.Status, st.ETA)
		}
		fake.Advance(time.Minute)
	}
	if _, err := b.engine.Resume(ctx, p.Broadcast.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	st, err := b.engine.Status(ctx, p.Broadcast.ID)
	if err != nil {
		t.Fatal(err)
	}
	if left := st.Counts.Remaining(); left < 20 || st.ETA < time.Duration(left-1)*time.Second || st.ETA > time.Duration(left+1)*time.Second {
		t.Fatalf("resumed: %d left at 1/s, ETA %v", left, st.ETA)
	}
}

// Right after a restart, the progress of a resumed broadcast has the ETA
// of its open rows, not 0s.
func TestProgressAfterRestartHasETA(t *testing.T) {
	ctx := context.Background()
	db := testDB(t)
	fake := clockwork.NewFakeClockAt(t0)
	carrier := sim.New(sim.Config{Clock: fake})
	b := setup(t, testOpts{clock: fake, sim: carrier, dbPath: db})
	b.addSenders(t, 1, "+12065550001")
	b.addContacts(t, "crew", 40, 0)
	p, ch := b.send(t, "crew", "hello")
	advanceUntil(t, fake, &feed{ch: ch}, 50*time.Millisecond, func(p broadcast.Progress) bool { return p.Counts.Done() >= 2 })
	b.engine.Close()
	b.store.Close()

	again := setup(t, testOpts{clock: fake, sim: carrier, dbPath: db})
	st, err := again.engine.Status(ctx, p.Broadcast.ID)
	if err != nil {
		t.Fatal(err)
	}
	left := st.Counts.Remaining()
	if left < 30 || st.Preparing || st.ETA < time.Duration(left-1)*time.Second || st.ETA > time.Duration(left+1)*time.Second {
		t.Fatalf("after restart: %d left at 1/s, ETA %v, preparing %v", left, st.ETA, st.Preparing)
	}
}
