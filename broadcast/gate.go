package broadcast

import (
	"cmp"
	"container/list"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
)

// DefaultConcurrency is the account-wide cap on concurrent provider calls
// when none is configured: Twilio's usual limit on an account's concurrent
// REST requests.
const DefaultConcurrency = 100

// GateConfig configures a Gate.
type GateConfig struct {
	// Limit is the most calls in flight at once (default
	// DefaultConcurrency).
	Limit int
	// Name names the provider in Progress notes (default "the provider").
	Name  string
	Clock clockwork.Clock // default: the real clock
}

// Gate caps the calls in flight to one provider account, as Twilio caps an
// account's concurrent REST requests (and answers 20429 beyond). Every
// call takes a slot first and gives it back with its result; a call over
// the cap waits, in arrival order, instead of being sent to earn a refusal.
//
// The cap follows AIMD. A call the provider refused as one too many
// (SendError.Throttled) halves it, at most once per round of calls, and
// holds every new call for its Retry-After; each successful call adds
// 1/cap, so it grows back by about one per round, up to Limit.
//
// A Gate is shared by everything that calls the account: the engine's
// sends and lookups, staff replies, polling. A slot is bound to a context
// (Slot.Bind), and acquiring again with that context takes no second
// slot, so a provider may guard its own calls with the same Gate. A Gate
// is safe for concurrent use.
type Gate struct {
	max   int
	name  string
	clock clockwork.Clock

	mu      sync.Mutex
	limit   float64 // current cap, 1..max
	inUse   int
	peak    int
	waiters list.List // of chan struct{}, FIFO
	hold    time.Time // no call starts before this (Retry-After)
	timer   clockwork.Timer
	round   uint64 // bumped by every cut: refusals of older calls do not cut again
	cuts    int
}

// NewGate returns a Gate.
func NewGate(cfg GateConfig) *Gate {
	cfg.Limit = max(cmp.Or(cfg.Limit, DefaultConcurrency), 1)
	return &Gate{
		max:   cfg.Limit,
		name:  cmp.Or(cfg.Name, "the provider"),
		clock: cmp.Or[clockwork.Clock](cfg.Clock, clockwork.NewRealClock()),
		limit: float64(cfg.Limit),
	}
}

// Slot is one call's place in a Gate. Release it exactly once.
type Slot struct {
	g     *Gate
	round uint64
	inner bool // taken by a context that already held a slot: owns nothing
	once  sync.Once
}

type gateKey struct{ g *Gate }

// Acquire waits for a slot, in arrival order, until ctx ends. When ctx is
// bound to a slot of g already (see Bind), it returns at once with a slot
// that owns nothing.
func (g *Gate) Acquire(ctx context.Context) (*Slot, error) {
	if g == nil || ctx.Value(gateKey{g}) != nil {
		return &Slot{g: g, inner: true}, nil
	}
	g.mu.Lock()
	if g.waiters.Len() == 0 && g.admits() {
		s := g.admit()
		g.mu.Unlock()
		return s, nil
	}
	ready := make(chan struct{})
	el := g.waiters.PushBack(ready)
	g.arm()
	g.mu.Unlock()
	select {
	case <-ready:
		g.mu.Lock()
		defer g.mu.Unlock()
		return &Slot{g: g, round: g.round}, nil
	case <-ctx.Done():
		g.mu.Lock()
		defer g.mu.Unlock()
		select {
		case <-ready: // admitted meanwhile: give the slot on
			g.inUse--
			g.dispatch()
		default:
			g.waiters.Remove(el)
		}
		return nil, ctx.Err()
	}
}

// Bind returns ctx marked as holding s: acquiring the same Gate with it
// (or a context derived from it) takes no second slot.
func (s *Slot) Bind(ctx context.Context) context.Context {
	if s.g == nil || s.inner {
		return ctx
	}
	return context.WithValue(ctx, gateKey{s.g}, true)
}

// Release gives the slot back. err is the call's result: a throttled
// refusal cuts the cap, a success grows it, other errors leave it.
func (s *Slot) Release(err error) {
	if s == nil || s.g == nil || s.inner {
		return
	}
	s.once.Do(func() { s.g.release(s.round, err) })
}

func (g *Gate) release(round uint64, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inUse--
	var se *SendError
	switch {
	case err == nil:
		g.limit = min(float64(g.max), g.limit+1/g.limit)
	case errors.As(err, &se) && se.Throttled:
		if round == g.round { // the first refusal of this round
			g.round++
			g.cuts++
			g.limit = max(1, g.limit/2)
		}
		if until := g.clock.Now().Add(se.RetryAfter); se.RetryAfter > 0 && until.After(g.hold) {
			g.hold = until
		}
	}
	g.dispatch()
}

// admits reports whether one more call may start now. Callers hold mu.
func (g *Gate) admits() bool {
	return g.inUse < int(g.limit) && !g.clock.Now().Before(g.hold)
}

func (g *Gate) admit() *Slot {
	g.inUse++
	g.peak = max(g.peak, g.inUse)
	return &Slot{g: g, round: g.round}
}

// dispatch admits waiters while there is room. Callers hold mu.
func (g *Gate) dispatch() {
	for g.waiters.Len() > 0 && g.admits() {
		ready := g.waiters.Remove(g.waiters.Front()).(chan struct{})
		g.inUse++
		g.peak = max(g.peak, g.inUse)
		close(ready)
	}
	g.arm()
}

// arm makes sure waiters held by a Retry-After are dispatched when it
// ends. Callers hold mu.
func (g *Gate) arm() {
	if g.waiters.Len() == 0 || g.timer != nil {
		return
	}
	d := g.hold.Sub(g.clock.Now())
	if d <= 0 {
		return
	}
	g.timer = g.clock.AfterFunc(d, func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.timer = nil
		g.dispatch()
	})
}

// GateState is a snapshot of a Gate, for progress and metrics.
type GateState struct {
	Limit int // the current cap
	Max   int // the configured cap
	InUse int // calls in flight
	// Waiting counts calls waiting for a slot.
	Waiting int
	Peak    int // the most calls in flight at once so far
	Cuts    int // how many times refusals cut the cap
}

// State returns a snapshot.
func (g *Gate) State() GateState {
	g.mu.Lock()
	defer g.mu.Unlock()
	return GateState{Limit: int(g.limit), Max: g.max, InUse: g.inUse, Waiting: g.waiters.Len(), Peak: g.peak, Cuts: g.cuts}
}

// Note says that the provider is limiting concurrency, while the cap is
// below its maximum after a refusal; otherwise it is empty.
func (g *Gate) Note() string {
	st := g.State()
	if st.Cuts == 0 || st.Limit >= st.Max {
		return ""
	}
	return fmt.Sprintf("%s%s is limiting concurrent requests: sending %d at a time", strings.ToUpper(g.name[:1]), g.name[1:], st.Limit)
}
