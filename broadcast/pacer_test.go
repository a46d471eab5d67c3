package broadcast

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 1, 18, 45, 0, 0, time.UTC)

// drive sends messages of the given segments through p as fast as it
// allows, with a clock that jumps exactly to each allowed time, and
// returns the send times.
func drive(p *Pacer, segments []int, lateness time.Duration) []time.Time {
	now := t0
	var times []time.Time
	for _, n := range segments {
		if d := p.Delay(now, n); d > 0 {
			now = now.Add(d + lateness)
		}
		p.Take(now, n)
		times = append(times, now)
	}
	return times
}

func TestPacerSpacing(t *testing.T) {
	tests := []struct {
		name     string
		rate     float64
		segments []int
		lateness time.Duration
		want     []time.Duration // send times after t0
	}{
		{"1/s long code", 1, []int{1, 1, 1}, 0, []time.Duration{0, 990 * time.Millisecond, 1990 * time.Millisecond}},
		{"segments count, not messages", 1, []int{3, 1, 2}, 0, []time.Duration{0, 2990 * time.Millisecond, 3990 * time.Millisecond}},
		{"3/s toll-free", 3, []int{1, 1, 1, 1}, 0, []time.Duration{0, 323333333, 656666666, 989999999}},
		{"lateness does not slow the schedule", 10, []int{1, 1, 1}, 5 * time.Millisecond, []time.Duration{0, 95 * time.Millisecond, 195 * time.Millisecond}},
		{"unpaced", 0, []int{5, 5, 5}, 0, []time.Duration{0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := drive(NewPacer(tt.rate, 0), tt.segments, tt.lateness)
			for i, g := range got {
				if d := g.Sub(t0); d != tt.want[i] {
					t.Errorf("send %d at %v, want %v", i, d, tt.want[i])
				}
			}
		})
	}
}

// Over any window, a paced sender sends at most rate·(window+tolerance)
// segments plus one message.
func TestPacerNeverExceedsRate(t *testing.T) {
	const rate = 100.0
	p := NewPacer(rate, 0)
	segs := make([]int, 500)
	for i := range segs {
		segs[i] = 1 + i%3
	}
	times := drive(p, segs, 0)
	for i := range times {
		sum := 0
		for j := i; j < len(times); j++ {
			sum += segs[j]
			window := times[j].Sub(times[i]).Seconds()
			if limit := rate*(window+DefaultTolerance.Seconds()) + float64(segs[j]) + 1e-6; float64(sum) > limit {
				t.Fatalf("%d segments in %.3fs at %v/s", sum, window, rate)
			}
		}
	}
	total := 0
	for _, s := range segs {
		total += s
	}
	elapsed := times[len(times)-1].Sub(t0).Seconds()
	if want := float64(total-segs[len(segs)-1]) / rate; elapsed < want-0.02 || elapsed > want {
		t.Fatalf("took %.3fs for %d segments, want about %.3fs", elapsed, total, want)
	}
}

func TestPacerIdleSaveNoBurst(t *testing.T) {
	p := NewPacer(1, 0)
	p.Take(t0, 1)
	later := t0.Add(time.Hour)
	p.Take(later, 1)
	if d := p.Delay(later, 1); d != 990*time.Millisecond {
		t.Fatalf("after an idle hour, the second message waits %v, want 990ms", d)
	}
}

func TestPacerHold(t *testing.T) {
	p := NewPacer(10, 0)
	p.Hold(t0.Add(5 * time.Second))
	if d := p.Delay(t0, 1); d != 5*time.Second-10*time.Millisecond {
		t.Fatalf("Delay during hold = %v", d)
	}
	p.SetRate(20)
	if d := p.Delay(t0.Add(5*time.Second), 1); d != 0 {
		t.Fatalf("Delay after hold = %v", d)
	}
}

// TestPacerLeftLate: a message booked on time that leaves late pushes the
// next one back, so the two never leave closer than one interval apart;
// one that leaves on time changes nothing.
func TestPacerLeftLate(t *testing.T) {
	p := NewPacer(50, 0) // 20 ms per segment
	p.Take(t0, 1)        // booked at t0
	p.Left(t0, 1)        // and left at once
	if d := p.Delay(t0, 1); d != 10*time.Millisecond {
		t.Fatalf("after an on-time departure: next in %v, want 10ms (20ms less the tolerance)", d)
	}
	p.Take(t0.Add(10*time.Millisecond), 1) // booked at 10 ms, the schedule says 20 ms
	p.Left(t0.Add(45*time.Millisecond), 1) // but left at 45 ms
	if d := p.Delay(t0.Add(45*time.Millisecond), 1); d != 10*time.Millisecond {
		t.Fatalf("after a late departure: next in %v, want 10ms (at 65 ms less the tolerance, not at once)", d)
	}
	// Over a second of late departures, no window gets more than the bound.
	times := []time.Time{}
	now := t0.Add(time.Second)
	for i := range 200 {
		if d := p.Delay(now, 1); d > 0 {
			now = now.Add(d)
		}
		p.Take(now, 1)
		left := now
		if i%7 == 0 {
			left = now.Add(40 * time.Millisecond) // this one waits for a CPU
		}
		p.Left(left, 1)
		times = append(times, left)
	}
	for i := range times {
		n := 0
		for _, u := range times[i:] {
			if u.Sub(times[i]) < time.Second {
				n++
			}
		}
		if limit := 50*1.01 + 1; float64(n) > limit {
			t.Fatalf("%d messages in the second from %v, over %v", n, times[i].Sub(t0), limit)
		}
	}
}
