package modeltest

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"
)

// simClock is the virtual time of one sequence. Nothing happens on it by
// itself: the driver moves it to the next timer's deadline once the world
// is quiet, so a sequence that covers minutes of sending takes as long as
// its real work (SQLite, HTTP) and no more.
//
// Quiet means no real call in progress (the wrappers count them with
// enter and leave: SQLite, HTTP), no goroutine ready to run or in a
// system call as the Go scheduler counts them (runtime/metrics), and no
// activity (clock reads, timers, calls) during a few yields. Run sets
// GOMAXPROCS to 1, so while the driver runs every other goroutine is
// either ready to run (and counted) or blocked: quiet is then exact, up
// to network readiness that the runtime has not polled yet, which the
// wire's busy count covers.
type simClock struct {
	mu     sync.Mutex
	now    time.Time
	timers map[*simTimer]struct{}
	busy   int
	zero   chan struct{} // closed when busy drops to 0
	kick   chan struct{} // signalled when a timer is armed or a call ends
	act    atomic.Int64
}

func newSimClock(start time.Time) *simClock {
	return &simClock{now: start, timers: map[*simTimer]struct{}{}, zero: make(chan struct{}), kick: make(chan struct{}, 1)}
}

// touch records activity.
func (c *simClock) touch() { c.act.Add(1) }

// Now returns the virtual time.
func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// next returns the earliest deadline of a timer that may fire: timers of
// a killed engine wait for its burial.
func (c *simClock) next() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var best time.Time
	found := false
	for t := range c.timers {
		if t.life.state() != alive {
			continue
		}
		if !found || t.when.Before(best) {
			best, found = t.when, true
		}
	}
	return best, found
}

// advanceTo moves the clock to at (never back) and fires the live timers
// due by then, earliest first.
func (c *simClock) advanceTo(at time.Time) {
	c.mu.Lock()
	if at.After(c.now) {
		c.now = at
	}
	var due []*simTimer
	for t := range c.timers {
		if !t.when.After(c.now) && t.life.state() == alive {
			due = append(due, t)
		}
	}
	sort.Slice(due, func(i, j int) bool { return due[i].when.Before(due[j].when) })
	for _, t := range due {
		c.fireLocked(t)
	}
	c.mu.Unlock()
	c.touch()
}

// bury fires every timer of l at once: a buried engine runs down without
// waiting for anything.
func (c *simClock) bury(l *life) {
	c.mu.Lock()
	for t := range c.timers {
		if t.life == l {
			c.fireLocked(t)
		}
	}
	c.mu.Unlock()
}

// fireLocked fires t. Callers hold c.mu.
func (c *simClock) fireLocked(t *simTimer) {
	delete(c.timers, t)
	t.armed = false
	c.act.Add(1)
	if t.fn != nil {
		go t.fn()
		return
	}
	select {
	case t.ch <- c.now:
	default:
	}
	if t.period > 0 {
		c.armLocked(t, t.period)
	}
}

// armLocked sets t to fire after d. Callers hold c.mu.
func (c *simClock) armLocked(t *simTimer, d time.Duration) {
	t.when = c.now.Add(d)
	if d <= 0 || t.life.state() == buried {
		c.fireLocked(t)
		return
	}
	t.armed = true
	c.timers[t] = struct{}{}
	c.signal()
}

// view returns the clock as one engine sees it: its timers stop when l is
// killed and all fire when l is buried.
func (c *simClock) view(l *life) clockwork.Clock { return &clockView{c: c, life: l} }

// clockView is a clockwork.Clock over a simClock for one engine.
type clockView struct {
	c    *simClock
	life *life
}

func (v *clockView) Now() time.Time                  { v.c.touch(); return v.c.Now() }
func (v *clockView) Since(t time.Time) time.Duration { return v.Now().Sub(t) }
func (v *clockView) Until(t time.Time) time.Duration { return t.Sub(v.Now()) }
func (v *clockView) After(d time.Duration) <-chan time.Time {
	return v.NewTimer(d).Chan()
}
func (v *clockView) Sleep(d time.Duration) { <-v.After(d) }

func (v *clockView) NewTimer(d time.Duration) clockwork.Timer { return v.newTimer(d, 0, nil) }

func (v *clockView) AfterFunc(d time.Duration, f func()) clockwork.Timer {
	return v.newTimer(d, 0, f)
}

func (v *clockView) NewTicker(d time.Duration) clockwork.Ticker {
	if d <= 0 {
		panic("modeltest: non-positive interval for NewTicker")
	}
	return simTicker{v.newTimer(d, d, nil)}
}

func (v *clockView) newTimer(d, period time.Duration, f func()) *simTimer {
	t := &simTimer{c: v.c, life: v.life, ch: make(chan time.Time, 1), fn: f, period: period}
	v.c.mu.Lock()
	v.c.armLocked(t, d)
	v.c.mu.Unlock()
	v.c.touch()
	return t
}

// simTimer is a timer or ticker on a simClock.
type simTimer struct {
	c      *simClock
	life   *life
	when   time.Time
	ch     chan time.Time
	fn     func()
	period time.Duration
	armed  bool
}

func (t *simTimer) Chan() <-chan time.Time { return t.ch }

func (t *simTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	t.c.act.Add(1)
	was := t.armed
	delete(t.c.timers, t)
	t.armed = false
	return was
}

func (t *simTimer) Reset(d time.Duration) bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	t.c.act.Add(1)
	was := t.armed
	delete(t.c.timers, t)
	t.armed = false
	t.c.armLocked(t, d)
	return was
}

// simTicker adapts a periodic simTimer to clockwork.Ticker.
type simTicker struct{ t *simTimer }

func (k simTicker) Chan() <-chan time.Time { return k.t.ch }
func (k simTicker) Reset(d time.Duration) {
	k.t.c.mu.Lock()
	k.t.period = d
	k.t.c.mu.Unlock()
	k.t.Reset(d)
}
func (k simTicker) Stop() { k.t.Stop() }
