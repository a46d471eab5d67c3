package twiliotest

import (
	"slices"
	"time"
)

// MaxInWindow returns the most messages from the sender from (every
// sender if from is empty) whose Arrived falls in any one window of the
// given length, [t, t+window) for any t: with window 1 s, the sender's
// peak rate in messages per second as the fake saw it on the real clock.
// It counts messages, not segments; a sender's rate is in segments, so
// compare with single-segment bodies. It takes O(n log n) for n messages.
func MaxInWindow(msgs []Message, from string, window time.Duration) int {
	var at []time.Time
	for _, m := range msgs {
		if from == "" || m.From == from {
			at = append(at, m.Arrived)
		}
	}
	return maxInWindow(at, window)
}

// MaxPerWindow returns, for each From of the stored outbound messages, the
// most of its messages that arrived in any one window of the given
// length, as MaxInWindow counts them.
func (s *Server) MaxPerWindow(window time.Duration) map[string]int {
	byFrom := map[string][]time.Time{}
	s.mu.Lock()
	for _, m := range s.msgs {
		if m.Direction == DirectionOutbound {
			byFrom[m.From] = append(byFrom[m.From], m.Arrived)
		}
	}
	s.mu.Unlock()
	out := make(map[string]int, len(byFrom))
	for from, at := range byFrom {
		out[from] = maxInWindow(at, window)
	}
	return out
}

// maxInWindow sorts at and returns the most times in any [t, t+window);
// 0 for a window that is not positive.
func maxInWindow(at []time.Time, window time.Duration) int {
	if window <= 0 {
		return 0
	}
	slices.SortFunc(at, time.Time.Compare)
	best, lo := 0, 0
	for hi, t := range at {
		for t.Sub(at[lo]) >= window {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}
