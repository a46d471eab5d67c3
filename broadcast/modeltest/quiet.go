package modeltest

import (
	"errors"
	"runtime"
	"runtime/metrics"
	"time"
)

// quietYields is how many times settle yields the processor, seeing no
// goroutine run or wait to, before it calls the world quiet.
const quietYields = 4

// settleTimeout bounds, in real time, how long settle waits for real work
// (SQLite, HTTP) to end before it reports the world as busy for good.
const settleTimeout = 30 * time.Second

// errBusyForever is settle's answer when real work never ends.
var errBusyForever = errors.New("modeltest: the engine never became quiet (a busy loop, or a call that never returns)")

// enter and leave bracket real work that the driver must wait for.
func (c *simClock) enter() {
	c.act.Add(1)
	c.mu.Lock()
	c.busy++
	c.mu.Unlock()
}

func (c *simClock) leave() {
	c.act.Add(1)
	c.mu.Lock()
	c.busy--
	if c.busy == 0 {
		close(c.zero)
		c.zero = make(chan struct{})
	}
	c.mu.Unlock()
	c.signal()
}

func (c *simClock) signal() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// wake waits until a timer is armed or a call ends, done is closed, or d
// passes in real time. It reports false when d passed: the world, seen
// quiet with no timer left, is still.
func (c *simClock) wake(done <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-c.kick:
		return true
	case <-done:
		return true
	case <-t.C:
		return false
	}
}

// settle waits until the world is quiet: no real call in progress, no
// goroutine but the caller running or ready to run, none created, and no
// activity on the clock or in the wrappers meanwhile.
func (c *simClock) settle() error {
	deadline := time.NewTimer(settleTimeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		busy, zero := c.busy, c.zero
		c.mu.Unlock()
		if busy > 0 {
			select {
			case <-zero:
			case <-deadline.C:
				return errBusyForever
			}
			continue
		}
		a, g, still := c.act.Load(), sched(), true
		for range quietYields {
			runtime.Gosched()
			if now := sched(); !now.quiet() || now.created != g.created {
				still = false
				break
			}
		}
		c.mu.Lock()
		busy = c.busy
		c.mu.Unlock()
		if still && g.quiet() && busy == 0 && c.act.Load() == a {
			return nil
		}
		select {
		case <-deadline.C:
			return errBusyForever
		default:
		}
	}
}

// schedState is what the Go scheduler says of the process's goroutines.
type schedState struct {
	running, runnable, syscall, created uint64
}

// quiet reports whether no goroutine but the caller runs or waits to.
func (s schedState) quiet() bool { return s.running <= 1 && s.runnable == 0 && s.syscall == 0 }

var schedNames = []string{
	"/sched/goroutines/running:goroutines",
	"/sched/goroutines/runnable:goroutines",
	"/sched/goroutines/not-in-go:goroutines",
	"/sched/goroutines-created:goroutines",
}

// sched reads the scheduler's counts (cheap: no stop of the world).
func sched() schedState {
	samples := make([]metrics.Sample, len(schedNames))
	for i, n := range schedNames {
		samples[i].Name = n
	}
	metrics.Read(samples)
	v := func(i int) uint64 {
		if samples[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return samples[i].Value.Uint64()
	}
	return schedState{running: v(0), runnable: v(1), syscall: v(2), created: v(3)}
}
