package inbound

import (
	"errors"
	"sync"
	"time"
)

// RetryAfterError is an error of Staff.Relay that says how long the
// platform wants us to wait, such as a 429 with Retry-After. Relays find
// it with errors.As and wait at least that long before the next post.
type RetryAfterError interface {
	error
	RetryAfter() time.Duration
}

// relayer keeps relays in order: one post at a time, the oldest stored
// text of a contact first, and none while the platform asked us to wait.
type relayer struct {
	turn chan struct{} // holds a token during one post
	wake chan struct{} // tells Run there is work; never blocks the sender

	mu           sync.Mutex
	limitedUntil time.Time       // no post at all before this (Retry-After)
	retryAt      time.Time       // Run's next pass, after a failed post
	fails        int             // failed posts since the last that got through
	oks          int             // posts that got through, ever
	firstFail    map[string]int  // per SID: oks when its first post failed
	attempts     map[string]int  // per SID: its failed posts
	unmarked     map[string]bool // shown to staff, but not yet marked relayed
}

func newRelayer() *relayer {
	return &relayer{
		turn: make(chan struct{}, 1), wake: make(chan struct{}, 1),
		firstFail: map[string]int{}, attempts: map[string]int{}, unmarked: map[string]bool{},
	}
}

// kick tells Run to look for unrelayed texts.
func (r *relayer) kick() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// due returns how long posts must still wait for the platform.
func (r *relayer) due(now time.Time) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return max(0, r.limitedUntil.Sub(now))
}

// failed records a failed post of sid ("" for a notice or a store
// write): the next pass of Run waits relayBackoffBase, doubling with each
// failure in a row, at most relayBackoffMax. A Retry-After in err holds
// every post until it has passed, and Run at least as long.
func (r *relayer) failed(now time.Time, sid string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if sid != "" {
		r.attempts[sid]++
		if _, ok := r.firstFail[sid]; !ok {
			r.firstFail[sid] = r.oks
		}
	}
	r.fails++
	wait := min(relayBackoffBase<<min(r.fails-1, 16), relayBackoffMax)
	var ra RetryAfterError
	if errors.As(err, &ra) && ra.RetryAfter() > 0 {
		r.limitedUntil = later(r.limitedUntil, now.Add(ra.RetryAfter()))
	}
	r.retryAt = later(now.Add(wait), r.limitedUntil)
}

// retryDue returns how long Run must still wait before its next pass.
func (r *relayer) retryDue(now time.Time) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return max(0, later(r.retryAt, r.limitedUntil).Sub(now))
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (r *relayer) succeeded(sid string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.oks++
	r.fails = 0
	delete(r.attempts, sid)
	delete(r.firstFail, sid)
}

// giveUp returns the failed posts of sid when it should be replaced by a
// notice: it failed relayGiveUp times while other posts got through, so
// the platform refuses this message, not every message. Else 0.
func (r *relayer) giveUp(sid string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	first, ok := r.firstFail[sid]
	if n := r.attempts[sid]; ok && n >= relayGiveUp && r.oks > first {
		return n
	}
	return 0
}

// tried reports whether a post of sid failed before.
func (r *relayer) tried(sid string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.attempts[sid] > 0
}

func (r *relayer) isUnmarked(sid string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.unmarked[sid]
}

func (r *relayer) setUnmarked(sid string, on bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if on {
		r.unmarked[sid] = true
	} else {
		delete(r.unmarked, sid)
	}
}
