package twiliotest

import (
	"math/rand/v2"
	"sync"
	"time"

	"smsbot/broadcast/latency"
)

// account is the fake's account-wide state of Config.Concurrency and
// Config.Latency, and what was seen of them.
type account struct {
	mu       sync.Mutex
	limit    int // 0: unlimited
	inFlight int // admitted requests not answered yet
	peak     int // largest inFlight so far
	refused  int // requests refused with 20429 for the limit
	dist     latency.Dist
	rng      *rand.Rand
}

// admit counts one more request in flight and returns the count with it,
// or refuses it when the limit is reached and returns the count it would
// have made.
func (c *account) admit() (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.limit > 0 && c.inFlight >= c.limit {
		c.refused++
		return c.inFlight + 1, false
	}
	c.inFlight++
	c.peak = max(c.peak, c.inFlight)
	return c.inFlight, true
}

// leave counts one admitted request answered.
func (c *account) leave() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inFlight--
}

// sample draws one request's latency.
func (c *account) sample() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dist.Sample(c.rng)
}

// SetLatency replaces Config.Latency for the requests admitted from now
// on; those already waiting keep their latency. It goes on drawing from
// the same seeded source.
func (s *Server) SetLatency(d latency.Dist) {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	s.acct.dist = d
}

// SetConcurrency replaces Config.Concurrency (0: unlimited) for the
// requests that arrive from now on. Requests already served stay: after
// lowering it, the fake refuses until fewer than n are in flight. It
// panics if n is negative.
func (s *Server) SetConcurrency(n int) {
	if n < 0 {
		panic("twiliotest: SetConcurrency with a negative limit")
	}
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	s.acct.limit = n
}

// Peak returns the most authenticated requests (create, list, fetch) that
// were being served at once so far, refused ones not counted. With
// Config.Concurrency set it is never above it, whatever the client does;
// a client that keeps within the limit has Peak at most the limit and
// Refused 0.
func (s *Server) Peak() int {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	return s.acct.peak
}

// Refused returns how many requests were refused with 429 and Twilio
// error 20429 because Config.Concurrency were being served. Scripted
// Fault429 answers are not counted.
func (s *Server) Refused() int {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	return s.acct.refused
}

// InFlight returns how many authenticated requests are being served right
// now: admitted, and not answered yet.
func (s *Server) InFlight() int {
	s.acct.mu.Lock()
	defer s.acct.mu.Unlock()
	return s.acct.inFlight
}
