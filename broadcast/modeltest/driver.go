package modeltest

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"time"
)

// dumpStacks writes every goroutine's stack to $MODELTEST_STACKS, when
// set, to see where a hung operation waits.
func dumpStacks(name string) {
	path := os.Getenv("MODELTEST_STACKS")
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s\n", name)
	_ = pprof.Lookup("goroutine").WriteTo(f, 2)
}

const (
	// hangTimeout is how long, in real time, an operation may take once
	// nothing is left to fire on the virtual clock.
	hangTimeout = 10 * time.Second
	// stillTimeout is how long, in real time, a quiet world with no timer
	// must stay so before the driver takes it as stuck.
	stillTimeout = 200 * time.Millisecond
	// opLimit is how much virtual time an operation may take.
	opLimit = time.Hour
	// maxSteps caps the clock's moves in one sequence: an engine that
	// wakes itself every millisecond would otherwise take forever.
	maxSteps = 200_000
)

// steps counts the clock's moves.
func (w *world) step(at time.Time) bool {
	w.steps++
	if w.steps > maxSteps {
		w.violate(InvRun, "the engine keeps waking itself up: %d clock steps by %s", w.steps, w.since())
		return false
	}
	w.sampleLeases()
	w.clock.advanceTo(at)
	return true
}

func (w *world) since() string {
	return fmt.Sprintf("t+%.3fs", w.clock.Now().Sub(w.plan.start).Seconds())
}

// await runs fn on its own goroutine and moves the clock until it
// returns. It reports false, with a violation, if fn hangs.
func (w *world) await(name string, fn func()) bool {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	limit := w.clock.Now().Add(opLimit)
	for {
		if err := w.clock.settle(); err != nil {
			w.violate(InvRun, "%s at %s: %v", name, w.since(), err)
			return false
		}
		select {
		case <-done:
			return true
		default:
		}
		at, ok := w.clock.next()
		if !ok && w.strike() {
			continue
		}
		if !ok {
			if w.clock.wake(done, cmp.Or(w.opts.hangTimeout, hangTimeout)) {
				continue
			}
			dumpStacks(name)
			w.violate(InvRun, "%s at %s never returned, with nothing left to wait for", name, w.since())
			return false
		}
		if at.After(limit) {
			w.violate(InvRun, "%s at %s had not returned after %v of virtual time", name, w.since(), opLimit)
			return false
		}
		if !w.step(at) {
			return false
		}
	}
}

// advance lets d of virtual time pass, firing the timers due meanwhile.
func (w *world) advance(d time.Duration) bool {
	until := w.clock.Now().Add(d)
	for {
		if err := w.clock.settle(); err != nil {
			dumpStacks("waiting")
			w.violate(InvRun, "waiting at %s: %v", w.since(), err)
			return false
		}
		at, ok := w.clock.next()
		if !ok || at.After(until) {
			w.sampleLeases()
			w.clock.advanceTo(until)
			return true
		}
		if !w.step(at) {
			return false
		}
	}
}

// drain moves the clock until done reports true, nothing is left to
// fire, or limit has passed. It reports whether done became true.
func (w *world) drain(limit time.Duration, done func() bool) bool {
	until := w.clock.Now().Add(limit)
	for {
		if err := w.clock.settle(); err != nil {
			w.violate(InvRun, "draining at %s: %v", w.since(), err)
			return false
		}
		if done() {
			return true
		}
		at, ok := w.clock.next()
		if !ok {
			if w.clock.wake(nil, stillTimeout) {
				continue
			}
			return false
		}
		if at.After(until) {
			return false
		}
		if !w.step(at) {
			return false
		}
	}
}

// restart closes the engine in slot and starts another on the same
// database. It runs on an op's goroutine, so Close may wait for calls
// in flight while the driver moves the clock.
func (w *world) restart(say func(string, ...any), slot int) {
	old := w.live[slot]
	err := old.eng.Close()
	old.stopKeeper() // releases its leases: another engine may take them at once
	old.life.retire(func() {
		w.violate(InvRun, "engine %d called the store or Twilio after its Close returned", old.gen)
	})
	w.retire(old, "closed")
	say("restart: engine %d closed (%v); starting engine %d", old.gen, errText(err), w.gen+1)
	w.startAsync(say, slot)
}

// kill drops the engine in slot without Close and starts another: at
// once when n is 0, else at the engine's n-th real call from now (or as
// soon as it has nothing left to do). With several engines the new one
// starts after wait more of virtual time, so that the others may take
// the dead one's leases once they expire.
func (w *world) kill(say func(string, ...any), slot, n int, before bool, wait time.Duration) {
	old := w.live[slot]
	if n == 0 {
		old.life.kill()
		say("kill: engine %d killed", old.gen)
	} else {
		when := "after it took effect"
		if before {
			when = "before it takes effect"
		}
		say("kill: engine %d will die at its call %d from now, %s", old.gen, n, when)
		w.mu.Lock()
		w.dying = old.life
		old.life.arm(n, before)
		w.mu.Unlock()
		old.life.waitDead()
		w.mu.Lock()
		w.dying = nil
		w.mu.Unlock()
		how := "at that call"
		if old.life.countdown.Load() > 0 {
			how = "idle, before that call"
		}
		say("kill: engine %d died %s", old.gen, how)
	}
	w.retire(old, "killed")
	if len(w.live) > 1 {
		<-w.wclock.After(wait)
		say("kill: engine %d dead for %v", old.gen, wait)
	}
	say("kill: starting engine %d", w.gen+1)
	w.startAsync(say, slot)
}

// strike kills at once an engine whose armed kill is still pending when
// nothing else would happen.
func (w *world) strike() bool {
	w.mu.Lock()
	l := w.dying
	w.mu.Unlock()
	if l == nil {
		return false
	}
	l.freeze()
	return true
}

func (w *world) retire(inc *incarnation, state string) {
	inc.stopWatching()
	w.mu.Lock()
	inc.state = state
	w.past = append(w.past, inc)
	w.live[inc.slot] = nil
	w.mu.Unlock()
}

// engines returns the live engines, by slot.
func (w *world) engines() []*incarnation {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []*incarnation
	for _, inc := range w.live {
		if inc != nil {
			out = append(out, inc)
		}
	}
	return out
}

// first returns the live engine with the lowest slot, or nil.
func (w *world) first() *incarnation {
	if all := w.engines(); len(all) > 0 {
		return all[0]
	}
	return nil
}

// startAsync is startEngine on an op's goroutine: the driver is already
// moving the clock for it.
func (w *world) startAsync(say func(string, ...any), slot int) {
	inc, err := w.open()
	if err != nil {
		w.violate(InvRun, "opening engine %d: %v", w.gen, err)
		w.failed = true
		return
	}
	inc.slot = slot
	w.mu.Lock()
	w.live[slot] = inc
	w.mu.Unlock()
	if err := inc.eng.Start(w.ctx); err != nil {
		w.mu.Lock()
		full := w.fullUntil.Sub(w.clock.Now())
		w.mu.Unlock()
		if full <= 0 || !errors.Is(err, errDiskFull) {
			w.violate(InvRun, "Start of engine %d: %v", inc.gen, err)
			w.failed = true
			return
		}
		// The database cannot be written: the process exits, and its
		// supervisor starts it again once the disk is freed.
		say("engine %d failed to start (%v); starting another once the disk is freed", inc.gen, err)
		inc.eng.Close()
		inc.stopKeeper()
		inc.life.retire(func() {
			w.violate(InvRun, "engine %d called the store or Twilio after its Close returned", inc.gen)
		})
		w.retire(inc, "closed")
		<-w.wclock.After(full)
		w.startAsync(say, slot)
		return
	}
	for _, b := range w.model.approved() {
		if !w.reported(b) {
			w.watchOn(inc, b)
		}
	}
	say("engine %d started", inc.gen)
}
