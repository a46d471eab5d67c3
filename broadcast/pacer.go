package broadcast

import (
	"sync"
	"time"
)

// DefaultTolerance is how far ahead of its schedule a Pacer lets a sender
// run, to absorb timer lateness without losing throughput.
const DefaultTolerance = 10 * time.Millisecond

// Pacer paces one sender at a rate in segments per second. It implements
// the generic cell rate algorithm (virtual scheduling): each segment books
// 1/rate of the sender's time, and a message may go once the sender's
// booked time is at most the tolerance ahead of now. Because the schedule
// advances by exact increments, a sender that wakes a little late does not
// drift below its rate, and one that is idle does not save up a burst.
//
// Over any window of length w, a sender paced by a Pacer sends at most
// rate·(w + tolerance) segments plus those of one message.
//
// Times are passed in, so tests drive a Pacer with a fake clock. A Pacer is
// safe for concurrent use.
type Pacer struct {
	mu        sync.Mutex
	interval  time.Duration // time per segment; 0 = unpaced
	tolerance time.Duration
	tat       time.Time // theoretical arrival time of the next segment
}

// NewPacer returns a pacer for rate segments per second. A rate ≤ 0 means
// unpaced. tolerance ≤ 0 means DefaultTolerance; it is capped at one
// segment's interval.
func NewPacer(rate float64, tolerance time.Duration) *Pacer {
	p := &Pacer{}
	p.configure(rate, tolerance)
	return p
}

func (p *Pacer) configure(rate float64, tolerance time.Duration) {
	p.interval = 0
	if rate > 0 {
		p.interval = time.Duration(float64(time.Second) / rate)
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	p.tolerance = min(tolerance, p.interval)
}

// SetRate changes the rate; the schedule already booked stays.
func (p *Pacer) SetRate(rate float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.configure(rate, DefaultTolerance)
}

// Delay returns how long to wait from now before a message of n segments
// may go. It books nothing.
func (p *Pacer) Delay(now time.Time, n int) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.interval == 0 {
		return 0
	}
	return max(0, p.tat.Add(-p.tolerance).Sub(now))
}

// Take books n segments at now. Call it when Delay returned 0.
func (p *Pacer) Take(now time.Time, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.interval == 0 {
		return
	}
	if p.tat.Before(now) {
		p.tat = now
	}
	p.tat = p.tat.Add(time.Duration(n) * p.interval)
}

// Left says that a message of n segments, booked earlier, actually left
// at t. When it left late (its goroutine waited for a CPU, say), the next
// one may not leave before t plus its share of time, so that a late
// message and the next one on time do not go out together, over the rate
// in a window that starts at the late one.
func (p *Pacer) Left(t time.Time, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.interval == 0 {
		return
	}
	if next := t.Add(time.Duration(n) * p.interval); next.After(p.tat) {
		p.tat = next
	}
}

// Hold keeps the sender quiet until t, for example after the provider
// answered 429 with Retry-After.
func (p *Pacer) Hold(t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t.After(p.tat) {
		p.tat = t
	}
}
