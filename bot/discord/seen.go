package discord

import (
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
)

// tokenLife is how long an interaction can be answered (its token's
// life): a gateway interaction seen again within it is a redelivery.
const tokenLife = 15 * time.Minute

// seen remembers the IDs of the interactions acted on, each until it can
// no longer be delivered again: for a signed HTTP request, until its
// signature timestamp is too old to be taken (maxSkew); for the gateway,
// until its token expires. A replayed request or a redelivered event is
// then answered without acting twice.
type seen struct {
	clock clockwork.Clock

	mu    sync.Mutex
	until map[string]time.Time // interaction ID → when it may be forgotten
	sweep time.Time            // next time expired IDs are dropped
}

func newSeen(clock clockwork.Clock) *seen {
	return &seen{clock: clock, until: map[string]time.Time{}}
}

// first records id until until and reports whether it is new. An empty
// id is always new (there is nothing to remember it by).
func (s *seen) first(id string, until time.Time) bool {
	if id == "" {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	if !now.Before(s.sweep) {
		for k, t := range s.until {
			if !now.Before(t) {
				delete(s.until, k)
			}
		}
		s.sweep = now.Add(time.Minute)
	}
	if t, ok := s.until[id]; ok && now.Before(t) {
		return false
	}
	s.until[id] = until
	return true
}

// size is how many IDs are remembered.
func (s *seen) size() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.until)
}
