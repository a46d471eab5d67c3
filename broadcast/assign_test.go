package broadcast

import (
	"maps"
	"testing"
)

// even returns loads of senders that all have the same rate.
func even(contacts map[int64]int) map[int64]Load {
	m := make(map[int64]Load, len(contacts))
	for id, n := range contacts {
		m[id] = Load{Contacts: n, Rate: 1}
	}
	return m
}

func TestBalancerSpreadsEvenly(t *testing.T) {
	tests := []struct {
		name  string
		loads map[int64]int
		n     int
		want  map[int64]int
	}{
		{"empty senders, 10 contacts", map[int64]int{1: 0, 2: 0, 3: 0}, 10, map[int64]int{1: 4, 2: 3, 3: 3}},
		{"one sender", map[int64]int{7: 5}, 3, map[int64]int{7: 8}},
		{"new sender fills first", map[int64]int{1: 10, 2: 10, 3: 0}, 12, map[int64]int{1: 11, 2: 11, 3: 10}},
		{"uneven start evens out", map[int64]int{1: 3, 2: 0}, 5, map[int64]int{1: 4, 2: 4}},
		{"no contacts", map[int64]int{1: 2, 2: 1}, 0, map[int64]int{1: 2, 2: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBalancer(even(tt.loads))
			for range tt.n {
				b.Next()
			}
			if got := b.Loads(); !maps.Equal(got, tt.want) {
				t.Fatalf("loads = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBalancerWeighsByRate(t *testing.T) {
	tests := []struct {
		name  string
		loads map[int64]Load
		n     int
		want  map[int64]int
	}{
		// 20,000 segments over 104 segments/s: 96% on the short code.
		{"1, 3 and 100 per second", map[int64]Load{1: {Rate: 1}, 2: {Rate: 3}, 3: {Rate: 100}}, 20_000,
			map[int64]int{1: 192, 2: 576, 3: 19_232}},
		// 1,000 contacts at 10/s take 100 s: the slow sender catches up first.
		{"a fast sender already busy", map[int64]Load{1: {Contacts: 0, Rate: 1}, 2: {Contacts: 1000, Rate: 10}}, 110,
			map[int64]int{1: 101, 2: 1009}},
		{"rate 0 counts as 1", map[int64]Load{1: {Rate: 0}, 2: {Rate: 1}}, 4, map[int64]int{1: 2, 2: 2}},
		{"twice the rate, twice the contacts", map[int64]Load{1: {Rate: 2}, 2: {Rate: 1}}, 9, map[int64]int{1: 6, 2: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBalancer(tt.loads)
			for range tt.n {
				b.Next()
			}
			if got := b.Loads(); !maps.Equal(got, tt.want) {
				t.Fatalf("loads = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestBalancerFinishesTogether checks the point of weighing by rate: the
// time each sender needs for its contacts differs by at most one text.
func TestBalancerFinishesTogether(t *testing.T) {
	rates := []float64{1, 3, 100, 0.5, 25, 7}
	for k := 1; k <= len(rates); k++ {
		for _, n := range []int{0, 1, 7, 100, 999} {
			loads := map[int64]Load{}
			for i, r := range rates[:k] {
				loads[int64(i+1)] = Load{Rate: r}
			}
			b := NewBalancer(loads)
			for range n {
				b.Next()
			}
			got := b.Loads()
			lo, hi := -1.0, 0.0
			for id, c := range got {
				r := loads[id].Rate
				// Each sender finishes its contacts within one text of
				// the fastest possible split: (c-1)/r ≤ every other (c'+1)/r'.
				hi = max(hi, float64(c-1)/r)
				if end := float64(c+1) / r; lo < 0 || end < lo {
					lo = end
				}
			}
			if n > 0 && hi > lo+1e-9 {
				t.Fatalf("rates %v, %d contacts: %v is not a fastest split", rates[:k], n, got)
			}
		}
	}
}

func TestBalancerMaxMinusMinAtMostOne(t *testing.T) {
	for senders := 1; senders <= 7; senders++ {
		for n := 0; n <= 50; n++ {
			loads := map[int64]int{}
			for i := range senders {
				loads[int64(i+1)] = 0
			}
			b := NewBalancer(even(loads))
			for range n {
				b.Next()
			}
			lo, hi := n, 0
			for _, l := range b.Loads() {
				lo, hi = min(lo, l), max(hi, l)
			}
			if hi-lo > 1 {
				t.Fatalf("%d senders, %d contacts: loads %v", senders, n, b.Loads())
			}
		}
	}
}

func TestBalancerPlace(t *testing.T) {
	tests := []struct {
		name      string
		current   int64
		want      int64
		wantMoved bool
	}{
		{"keeps its enabled sender even when busier", 1, 1, false},
		{"keeps its enabled sender even when slower", 4, 4, false},
		{"unassigned goes to least loaded per rate", 0, 3, true},
		{"sender disabled or removed: moves to least loaded", 9, 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBalancer(map[int64]Load{1: {50, 1}, 2: {20, 1}, 3: {10, 2}, 4: {1, 0.01}})
			got, moved := b.Place(tt.current)
			if got != tt.want || moved != tt.wantMoved {
				t.Fatalf("Place(%d) = %d, %v; want %d, %v", tt.current, got, moved, tt.want, tt.wantMoved)
			}
		})
	}
}

func TestBalancerWithoutSenders(t *testing.T) {
	b := NewBalancer(nil)
	if !b.Empty() || b.Next() != 0 {
		t.Fatal("a balancer without senders must be empty and assign nothing")
	}
}
