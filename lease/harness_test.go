package lease_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/lease"
)

// wait is how long a test waits for something that happens at once.
const wait = 5 * time.Second

// The keepers' settings in these tests: a lease acquired at t is trusted
// until t+9s, renewed at t+4s and t+8s, and expires in the table at t+10s.
const (
	ttl    = 10 * time.Second
	every  = 4 * time.Second
	margin = time.Second
)

var t0 = time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)

// timerClock is the fake clock as one Keeper sees it, counting the
// timers the Keeper makes. Run makes one each time it goes back to
// waiting (after a renewal, an expiry or a new lease) and Hold one per
// retry, so a test that knows how many to expect knows when the Keeper
// is idle again: only then may it advance the clock, since a timer made
// after an advance would count from the advanced time.
type timerClock struct {
	*clockwork.FakeClock // the time: Now
	// timers is where the Keeper's timers run: the same clock, or one
	// of its own that a test holds back to freeze the Keeper (its clock
	// goes on, its timers do not fire).
	timers  *clockwork.FakeClock
	mu      sync.Mutex
	n       int
	changed chan struct{}
}

func (c *timerClock) NewTimer(d time.Duration) clockwork.Timer {
	t := c.timers.NewTimer(d)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	close(c.changed)
	c.changed = make(chan struct{})
	return t
}

// made is how many timers the Keeper has made.
func (c *timerClock) made() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// waitTimers waits until the Keeper has made n timers in all.
func (c *timerClock) waitTimers(t *testing.T, n int) {
	t.Helper()
	c.waitTimersFrom(t, n, true)
}

// waitAtLeast waits until the Keeper has made n timers or more. The
// property test uses it: a Hold that took its lease on its own during an
// advance wakes Run, which may re-arm its timer only after the test saw
// the Keeper idle (seen once under -race on a loaded machine, seed
// 9174936703014085332). A timer made late only delays a renewal, so it
// trusts less, never more; the invariants still hold it to that.
func (c *timerClock) waitAtLeast(t *testing.T, n int) {
	t.Helper()
	c.waitTimersFrom(t, n, false)
}

func (c *timerClock) waitTimersFrom(t *testing.T, n int, exact bool) {
	t.Helper()
	deadline := time.After(wait)
	for {
		c.mu.Lock()
		made, changed := c.n, c.changed
		c.mu.Unlock()
		if made >= n {
			if exact && made > n {
				t.Fatalf("the keeper made %d timers, want %d", made, n)
			}
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("the keeper made %d timers in %v, want %d", made, wait, n)
		}
	}
}

// harness is one test's fake clock and store.
type harness struct {
	t     *testing.T
	ctx   context.Context
	clock *clockwork.FakeClock
	st    *memStore
}

func newHarness(t *testing.T) *harness {
	return &harness{t: t, ctx: context.Background(), clock: clockwork.NewFakeClockAt(t0), st: newMemStore()}
}

// keeper returns a Keeper for owner on the harness's store, and the clock
// it counts timers on.
func (h *harness) keeper(owner string) (*lease.Keeper, *timerClock) {
	h.t.Helper()
	c := &timerClock{FakeClock: h.clock, timers: h.clock, changed: make(chan struct{})}
	k, err := lease.New(lease.Config{Store: h.st, Owner: owner, TTL: ttl, RenewEvery: every, Margin: margin,
		Clock: c, Logger: testLogger(h.t)})
	if err != nil {
		h.t.Fatal(err)
	}
	return k, c
}

// run runs k until the returned stop is called or the test ends; stop
// returns once Run has.
func (h *harness) run(k *lease.Keeper) (stop func()) {
	ctx, cancel := context.WithCancel(h.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		k.Run(ctx)
	}()
	stop = func() {
		cancel()
		select {
		case <-done:
		case <-time.After(wait):
			h.t.Fatal("Run did not return after its context ended")
		}
	}
	h.t.Cleanup(stop)
	return stop
}

// acquire takes name with k, which must get it with token want.
func (h *harness) acquire(k *lease.Keeper, name string, want int64) *lease.Lease {
	h.t.Helper()
	l, err := k.TryAcquire(h.ctx, name)
	if err != nil || l == nil || l.Token != want {
		h.t.Fatalf("%s acquires %s: %+v, %v; want token %d", k.Owner(), name, l, err, want)
	}
	return l
}

// renewal waits for the next RenewLeases call to return.
func (h *harness) renewal() {
	h.t.Helper()
	select {
	case <-h.st.renewed:
	case <-time.After(wait):
		h.t.Fatal("no renewal")
	}
}

// closed reports whether ch is closed, waiting for it up to wait when
// want is true; when want is false it must be open now.
func closed(ch <-chan struct{}, want bool) bool {
	if !want {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	select {
	case <-ch:
		return true
	case <-time.After(wait):
		return false
	}
}

// tWriter sends a Keeper's log to the test's.
type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(p))
	return len(p), nil
}

// testLogger sends a Keeper's log to the test's.
func testLogger(t *testing.T) *slog.Logger { return slog.New(slog.NewTextHandler(tWriter{t}, nil)) }
