package broadcast

import (
	"maps"
	"testing"
)

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

func TestBalancerMaxMinusMinAtMostOne(t *testing.T) {
	for senders := 1; senders <= 7; senders++ {
		for n := 0; n <= 50; n++ {
			loads := map[int64]int{}
			for i := range senders {
				loads[int64(i+1)] = 0
			}
			b := NewBalancer(loads)
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
		{"unassigned goes to least loaded", 0, 3, true},
		{"sender disabled or removed: moves to least loaded", 9, 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBalancer(map[int64]int{1: 50, 2: 20, 3: 10})
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
