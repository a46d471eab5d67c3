package broadcast

import (
	"math"
	"testing"
	"time"
)

func TestShareSplitsByRateWithinNeeds(t *testing.T) {
	tests := []struct {
		name     string
		capacity float64
		ds       []demand
		want     []float64
	}{
		{"room for all", 100, []demand{{50, 10}, {50, 10}}, []float64{10, 10}},
		{"by rate when short", 20, []demand{{300, 39}, {100, 14}}, []float64{15, 5}},
		{"equal senders over the cap", 100, []demand{{200, 39}, {200, 39}, {200, 39}, {200, 39}, {200, 39},
			{200, 39}, {200, 39}, {200, 39}, {200, 39}, {200, 39}}, []float64{10, 10, 10, 10, 10, 10, 10, 10, 10, 10}},
		// The slow sender needs 2: the others share what it leaves.
		{"what one cannot use goes to the others", 100, []demand{{10, 2}, {100, 200}, {100, 200}}, []float64{2, 49, 49}},
		{"a slow sender's share may be under one", 100, []demand{{1, 2}, {199, 400}}, []float64{0.5, 99.5}},
		{"one sender", 100, []demand{{100, 20}}, []float64{20}},
		{"nothing", 100, nil, []float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := share(tt.capacity, tt.ds)
			if len(got) != len(tt.want) {
				t.Fatalf("share = %v, want %v", got, tt.want)
			}
			sum := 0.0
			for i := range got {
				sum += got[i]
				if math.Abs(got[i]-tt.want[i]) > 1e-9 {
					t.Fatalf("share = %v, want %v", got, tt.want)
				}
			}
			if sum > tt.capacity+1e-9 {
				t.Fatalf("shares %v add up to %v, over the capacity %v", got, sum, tt.capacity)
			}
		})
	}
}

func TestDemandIsRateTimesLatencyWithHeadroom(t *testing.T) {
	e := &Engine{}
	tests := []struct {
		rate float64
		high time.Duration
		want float64
	}{
		{200, 150 * time.Millisecond, 39}, // 30 by Little's law, 25% more, and the pacer's
		{50, 150 * time.Millisecond, 11},
		{1, 150 * time.Millisecond, 2},
		{100, 0, 1}, // an instant provider: one at a time keeps up
		{100, 400 * time.Millisecond, 51},
	}
	for _, tt := range tests {
		if got := e.demandAt(tt.rate, tt.high, 100).need; got != tt.want {
			t.Errorf("demand at %v/s and %v = %v, want %v", tt.rate, tt.high, got, tt.want)
		}
	}
	e.cfg.Unpaced = true
	if got := e.demandAt(200, time.Second, 100).need; got != 100 {
		t.Errorf("unpaced demand = %v, want the whole capacity", got)
	}
}

func TestLatenciesFollowRecentCalls(t *testing.T) {
	l := newLatencies(150 * time.Millisecond)
	if mean, high := l.get(); mean != 150*time.Millisecond || high != 150*time.Millisecond {
		t.Fatalf("before any call: %v %v, want the guess", mean, high)
	}
	for i := range 160 {
		l.observe(time.Duration(i+1) * time.Millisecond) // 1..160 ms
	}
	if mean, high := l.get(); mean != 80500*time.Microsecond || high != 145*time.Millisecond {
		t.Fatalf("after 1..160 ms: mean %v high %v, want 80.5ms and 145ms", mean, high)
	}
	// Latency steps up: once a tenth of the window is slow, the high
	// estimate follows.
	for range latencyWindow / 8 {
		l.observe(400 * time.Millisecond)
	}
	if _, high := l.get(); high != 400*time.Millisecond {
		t.Fatalf("after a step to 400ms: high %v, want 400ms", high)
	}
	// A full window later, the old calls are forgotten.
	for range latencyWindow {
		l.observe(50 * time.Millisecond)
	}
	if mean, high := l.get(); mean != 50*time.Millisecond || high != 50*time.Millisecond {
		t.Fatalf("after a window at 50ms: %v %v", mean, high)
	}
}
