package broadcast

import (
	"slices"
	"sync"
	"time"
)

// latencyWindow is how many recent calls the latency estimate covers.
const latencyWindow = 256

// latencyEvery is how many new samples trigger a new estimate.
const latencyEvery = 16

// latencyQuantile is the high percentile that sizes calls in flight: a
// sender with enough slots for its slow calls is not held up by them.
const latencyQuantile = 0.9

// latencies estimates how long provider calls take from the latest
// latencyWindow of them: the mean (for Little's law, in ETAs) and a high
// percentile (for sizing, with headroom). Until calls are measured, both
// are the configured guess. It is safe for concurrent use.
type latencies struct {
	mu   sync.Mutex
	ring [latencyWindow]time.Duration
	n    int // samples so far
	mean time.Duration
	high time.Duration
}

func newLatencies(guess time.Duration) *latencies {
	return &latencies{mean: guess, high: guess}
}

// observe records one call's duration.
func (l *latencies) observe(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ring[l.n%latencyWindow] = max(d, 0)
	l.n++
	// Early on every sample counts; later, a batch at a time.
	if l.n <= latencyEvery || l.n%latencyEvery == 0 {
		l.estimate()
	}
}

// estimate recomputes mean and high. Callers hold mu.
func (l *latencies) estimate() {
	k := min(l.n, latencyWindow)
	s := make([]time.Duration, k)
	copy(s, l.ring[:k])
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	l.mean = sum / time.Duration(k)
	l.high = s[min(k-1, int(float64(k)*latencyQuantile))]
}

// get returns the current mean and high estimates.
func (l *latencies) get() (mean, high time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.mean, l.high
}
