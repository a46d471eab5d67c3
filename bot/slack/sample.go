package slack

import (
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
)

// badSigEvery is the least time between two "refused unsigned Slack
// request" log lines: anyone can send requests that fail the check, and
// each must not cost a line.
const badSigEvery = 10 * time.Second

// sampler lets a log line through at most once per every, on clock; the
// lines held back meanwhile are counted, and the next line says how many.
type sampler struct {
	clock clockwork.Clock
	every time.Duration

	mu   sync.Mutex
	last time.Time
	held int
}

func newSampler(clock clockwork.Clock, every time.Duration) *sampler {
	return &sampler{clock: clock, every: every}
}

// allow reports whether a line may be logged now and, if so, how many
// were held back since the last one.
func (s *sampler) allow() (bool, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	if !s.last.IsZero() && now.Sub(s.last) < s.every {
		s.held++
		return false, 0
	}
	held := s.held
	s.last, s.held = now, 0
	return true, held
}
