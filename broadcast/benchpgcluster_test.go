package broadcast_test

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/broadcast/sim"
	"smsbot/lease"
	"smsbot/store"
	"smsbot/store/storetest"
)

// pgReplica is one engine of BenchmarkEngineThroughputPostgres: its own
// store (pool), lease Keeper and carrier, on a schema the others share.
type pgReplica struct {
	store   *store.Store
	engine  *broadcast.Engine
	keeper  *lease.Keeper
	carrier *countingCarrier
	stop    context.CancelFunc
	done    chan struct{}
	closed  sync.Once
}

// startPGCluster starts n replicas on a fresh schema whose commits wait
// for the WAL to reach the disk (storetest turns that off for tests),
// with production lease settings (10 s TTL) but a sync every 50 ms, so
// that the replicas share the senders quickly.
func startPGCluster(b *testing.B, n int) []*pgReplica {
	b.Helper()
	u, err := url.Parse(storetest.Postgres(b))
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Set("synchronous_commit", "on")
	u.RawQuery = q.Encode()
	rs := make([]*pgReplica, n)
	for i := range rs {
		rs[i] = startPGReplica(b, u.String())
	}
	return rs
}

func startPGReplica(b *testing.B, dsn string) *pgReplica {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{Path: dsn})
	if err != nil {
		b.Fatal(err)
	}
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	k, err := lease.New(lease.Config{Store: st, Logger: discard})
	if err != nil {
		b.Fatal(err)
	}
	kctx, stop := context.WithCancel(ctx)
	r := &pgReplica{store: st, keeper: k, stop: stop, done: make(chan struct{}),
		carrier: &countingCarrier{p: sim.New(sim.Config{Out: io.Discard, Keep: 1})}}
	go func() { defer close(r.done); k.Run(kctx) }()
	eng, err := broadcast.New(broadcast.Config{Store: st, Provider: r.carrier, Unpaced: true, Logger: discard,
		Leases: k, LeaseEvery: 50 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	if err := eng.Start(ctx); err != nil {
		b.Fatal(err)
	}
	r.engine = eng
	b.Cleanup(r.close)
	return r
}

// close stops the engine (texts in flight settle), then the Keeper, which
// releases its leases, and closes the pool. It may be called twice.
func (r *pgReplica) close() {
	r.closed.Do(func() {
		r.engine.Close()
		r.stop()
		<-r.done
		r.store.Close()
	})
}

// senders counts the sender leases the replica holds.
func (r *pgReplica) senders() int {
	n := 0
	for _, h := range r.keeper.Held() {
		if strings.HasPrefix(h.Name, "sender:") {
			n++
		}
	}
	return n
}

// pgWaitFor polls cond every 10 ms (waiting on a condition, not sleeping
// for timing) and fails after 30 s.
func pgWaitFor(b *testing.B, what string, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("timed out waiting for %s", what)
		}
		<-time.After(10 * time.Millisecond)
	}
}

// countingCarrier is the sim carrier, counting what it accepted by
// recipient and by number (the sim itself keeps only its latest texts).
type countingCarrier struct {
	p    *sim.Provider
	mu   sync.Mutex
	to   map[string]int
	from map[string]bool
}

var _ broadcast.Provider = (*countingCarrier)(nil)

func (c *countingCarrier) Send(ctx context.Context, m broadcast.Outgoing) (string, error) {
	sid, err := c.p.Send(ctx, m)
	if err == nil {
		c.mu.Lock()
		if c.to == nil {
			c.to, c.from = map[string]int{}, map[string]bool{}
		}
		c.to[m.To]++
		c.from[m.From.Address] = true
		c.mu.Unlock()
	}
	return sid, err
}

func (c *countingCarrier) Lookup(ctx context.Context, from broadcast.Sender, to string, since time.Time) ([]broadcast.Sent, error) {
	return c.p.Lookup(ctx, from, to, since)
}

// count returns the texts accepted since the last reset.
func (c *countingCarrier) count() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, k := range c.to {
		n += k
	}
	return int64(n)
}

// numbers returns how many numbers sent since the last reset.
func (c *countingCarrier) numbers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.from)
}

// recipients adds the texts accepted per recipient to got.
func (c *countingCarrier) recipients(got map[string]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for to, k := range c.to {
		got[to] += k
	}
}

func (c *countingCarrier) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.to, c.from = nil, nil
}
