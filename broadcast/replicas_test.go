package broadcast_test

import (
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/broadcast/sim"
	"smsbot/lease"
	"smsbot/store"
	"smsbot/store/storetest"
)

// replica is one engine with its own store (its own connection pool) and
// lease keeper, on a database other replicas share.
type replica struct {
	store  *store.Store
	engine *broadcast.Engine
	keeper *lease.Keeper
	stop   context.CancelFunc // ends the keeper's renewals
	done   chan struct{}
	closed sync.Once
}

// replicaTTL is short, so that a takeover happens within a test's patience.
const replicaTTL = 2 * time.Second

// startReplica starts an engine on dsn, on the real clock, with leases of
// replicaTTL synced every 100 ms.
func startReplica(t *testing.T, dsn string, carrier *sim.Provider, name string) *replica {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{Path: dsn})
	if err != nil {
		t.Fatal(err)
	}
	log := testLogger(t).With("replica", name)
	k, err := lease.New(lease.Config{Store: st, TTL: replicaTTL, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	kctx, stop := context.WithCancel(ctx)
	r := &replica{store: st, keeper: k, stop: stop, done: make(chan struct{})}
	go func() { defer close(r.done); k.Run(kctx) }()
	eng, err := broadcast.New(broadcast.Config{Store: st, Provider: carrier, Logger: log, Leases: k,
		LeaseEvery: 100 * time.Millisecond, BackoffBase: time.Millisecond, BackoffMax: 10 * time.Millisecond,
		ReconcileDelay: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	r.engine = eng
	t.Cleanup(r.close)
	return r
}

// close stops the replica cleanly: texts in flight settle, then its
// leases are released.
func (r *replica) close() {
	r.closed.Do(func() {
		r.engine.Close()
		r.stop()
		<-r.done
		r.store.Close()
	})
}

// senders returns the senders whose leases the replica holds.
func (r *replica) senders() int {
	n := 0
	for _, h := range r.keeper.Held() {
		if len(h.Name) > 7 && h.Name[:7] == "sender:" {
			n++
		}
	}
	return n
}

// waitFor polls cond every 10 ms (a wait on a condition, not a sleep for
// timing) and fails after 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-time.After(10 * time.Millisecond)
	}
}

// Two replicas on one PostgreSQL database share the senders (two each),
// follow a broadcast approved on one of them and finish it with one text
// per recipient; both report the same final counts.
func TestReplicasShareSendersAndFinishOneBroadcast(t *testing.T) {
	dsn := storetest.Postgres(t)
	carrier := sim.New(sim.Config{Clock: clockwork.NewRealClock(), Out: io.Discard})
	a := startReplica(t, dsn, carrier, "a")
	b := startReplica(t, dsn, carrier, "b")
	ab := &testBundle{store: a.store, engine: a.engine, sim: carrier}
	ab.addSenders(t, 100, "+12065550001", "+12065550002", "+12065550003", "+12065550004")
	waitFor(t, "each replica to hold two senders", func() bool { return a.senders() == 2 && b.senders() == 2 })
	phones := ab.addContacts(t, "crew", 200, 0)
	p, chA := ab.send(t, "crew", "Dinner is served")
	chB, stopB, err := b.engine.Subscribe(context.Background(), p.Broadcast.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer stopB()
	for name, ch := range map[string]<-chan broadcast.Progress{"a": chA, "b": chB} {
		final := waitDone(t, ch)
		if final.Counts.Sent != 200 || final.Counts.Remaining() != 0 || final.Broadcast.Status != broadcast.StatusCompleted {
			t.Errorf("replica %s's final progress: %s %+v", name, final.Broadcast.Status, final.Counts)
		}
	}
	checkOncePerRecipient(t, carrier.Sent(), phones)
	from := map[string]bool{}
	for _, m := range carrier.Sent() {
		from[m.From] = true
	}
	if len(from) != 4 {
		t.Errorf("texts came from %d numbers, want all 4", len(from))
	}
}

// A replica that cannot reach the database stops sending when its
// leases' trust runs out; the other takes its senders over once the
// leases expire, reconciles what it left in flight, and finishes the
// broadcast with one text per recipient.
func TestReplicaTakesOverFromOneCutOff(t *testing.T) {
	dsn := storetest.Postgres(t)
	carrier := sim.New(sim.Config{Clock: clockwork.NewRealClock(), Out: io.Discard})
	a := startReplica(t, dsn, carrier, "a")
	ab := &testBundle{store: a.store, engine: a.engine, sim: carrier}
	ab.addSenders(t, 20, "+12065550001", "+12065550002")
	waitFor(t, "replica a to hold both senders", func() bool { return a.senders() == 2 })
	b := startReplica(t, dsn, carrier, "b")
	phones := ab.addContacts(t, "crew", 120, 0)
	p, _ := ab.send(t, "crew", "Shuttle leaves at 9")
	waitFor(t, "texts from replica a", func() bool { return len(carrier.Sent()) >= 20 })
	// Cut a off: its connections close, so its renewals, claims and
	// settles fail from now on, as on a network partition.
	if err := a.store.DB().Close(); err != nil {
		t.Fatal(err)
	}
	chB, stopB, err := b.engine.Subscribe(context.Background(), p.Broadcast.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer stopB()
	final := waitDone(t, chB)
	if final.Counts.Sent != 120 || final.Broadcast.Status != broadcast.StatusCompleted {
		t.Errorf("final progress on b: %s %+v", final.Broadcast.Status, final.Counts)
	}
	if n := a.senders(); n != 0 {
		t.Errorf("replica a still trusts %d sender leases", n)
	}
	checkOncePerRecipient(t, carrier.Sent(), phones)
}
