package modeltest

import (
	"errors"
	"sync"
	"sync/atomic"
)

// errKilled is what a dead engine's calls get once it is buried.
var errKilled = errors.New("modeltest: the engine was killed")

type lifeState int32

const (
	alive  lifeState = iota
	killed           // frozen: every call and timer of the engine waits for burial
	buried           // the sequence is over: every call fails at once, so it runs down
)

// life is one engine incarnation as the rest of the world sees it: its
// store, its HTTP transport and its clock all check it. Killing it
// freezes the engine at its next call or timer, the way SIGKILL does a
// process: what was in progress in SQLite or on the wire finishes (or
// not) on its own, but the engine never learns the result and never acts
// again. A kill may also be armed to strike at the engine's n-th real
// call from now, before that call takes effect or after it did but before
// the engine learns of it. Burial, after the sequence's checks, lets the
// dead engine run down (every call fails, every timer fires) so that its
// goroutines end.
type life struct {
	gen   int
	clock *simClock
	st    atomic.Int32
	grave chan struct{} // closed at burial
	died  chan struct{} // closed when killed
	once  sync.Once
	// countdown, when above 0, counts the calls left before an armed
	// kill; before says whether it strikes as a call starts or ends.
	countdown atomic.Int64
	before    bool
	// retired is set once the engine's Close returned: any call after
	// that is a goroutine Close forgot, reported once through zombie.
	retired    atomic.Bool
	zombie     func()
	zombieOnce sync.Once

	mu    sync.Mutex
	calls int           // real calls in progress
	idle  chan struct{} // closed when calls drops to 0
}

func newLife(gen int, c *simClock) *life {
	return &life{gen: gen, clock: c, grave: make(chan struct{}), died: make(chan struct{}), idle: make(chan struct{})}
}

func (l *life) state() lifeState { return lifeState(l.st.Load()) }

// freeze kills the engine now.
func (l *life) freeze() {
	l.st.CompareAndSwap(int32(alive), int32(killed))
	l.once.Do(func() { close(l.died) })
	l.clock.touch()
}

// arm makes the engine die at its n-th real call from now.
func (l *life) arm(n int, before bool) {
	l.before = before
	l.countdown.Store(int64(n))
}

// tick counts one call towards an armed kill.
func (l *life) tick(before bool) {
	if l.countdown.Load() > 0 && l.before == before && l.countdown.Add(-1) == 0 {
		l.freeze()
	}
}

// kill freezes the engine and waits until its dead.
func (l *life) kill() {
	l.freeze()
	l.waitDead()
}

// waitDead waits until the killed engine's calls in progress have ended
// (they block before returning): the process is then dead, and only then
// may another start on its database, as its lock file ensures for a real
// one.
func (l *life) waitDead() {
	<-l.died
	for {
		l.mu.Lock()
		n, idle := l.calls, l.idle
		l.mu.Unlock()
		if n == 0 {
			return
		}
		<-idle
	}
}

func (l *life) begin() {
	l.clock.enter()
	l.mu.Lock()
	l.calls++
	l.mu.Unlock()
}

func (l *life) end() {
	l.mu.Lock()
	l.calls--
	if l.calls == 0 {
		close(l.idle)
		l.idle = make(chan struct{})
	}
	l.mu.Unlock()
	l.clock.leave()
}

// retire freezes an engine whose Close returned; it should make no call.
func (l *life) retire(zombie func()) {
	l.zombie = zombie
	l.retired.Store(true)
	l.kill()
}

// bury releases a killed (or closed) engine's frozen calls with errKilled.
func (l *life) bury() {
	if lifeState(l.st.Swap(int32(buried))) == buried {
		return
	}
	l.once.Do(func() { close(l.died) })
	close(l.grave)
	l.clock.bury(l)
}

// enter starts a real call of the engine. It reports false, after waiting
// for burial if the engine is frozen, when the engine is dead: the caller
// then returns errKilled without doing anything.
func (l *life) enter() bool {
	for {
		switch l.state() {
		case alive:
			l.begin()
			l.tick(true)
			if l.state() == alive {
				return true
			}
			l.end() // killed meanwhile
		case killed:
			if l.retired.Load() && l.zombie != nil {
				l.zombieOnce.Do(l.zombie)
			}
			<-l.grave
			return false
		default:
			return false
		}
	}
}

// leave ends a real call. It reports false, after waiting for burial,
// when the engine died during the call: the caller must not hand the
// result to the engine.
func (l *life) leave() bool {
	l.end()
	l.tick(false)
	if l.state() == alive {
		return true
	}
	<-l.grave
	return false
}

// pause and resume bracket a wait on the virtual clock inside a real call,
// so that the driver may advance the clock meanwhile.
func (l *life) pause() { l.end() }

func (l *life) resume() bool { return l.enter() }
