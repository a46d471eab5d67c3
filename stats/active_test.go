package stats_test

import (
	"context"
	"math"
	"testing"
	"time"

	"smsbot/stats"
)

// every returns n sends of segs segments, one every gap from start.
func every(start time.Time, n int, gap time.Duration, segs int) []stats.Send {
	out := make([]stats.Send, n)
	for i := range out {
		out[i] = stats.Send{At: start.Add(time.Duration(i) * gap), Segments: segs}
	}
	return out
}

// then joins runs of sends.
func then(runs ...[]stats.Send) []stats.Send {
	var out []stats.Send
	for _, r := range runs {
		out = append(out, r...)
	}
	return out
}

func TestAchievedLeavesOutPausesAndDowntime(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name      string
		sends     []stats.Send
		stretches int
		rate      float64 // segments per second
		active    time.Duration
	}{
		{"nothing sent", nil, 0, 0, 0},
		{"one text", every(t0, 1, 0, 1), 1, 0, 0},
		{"steady 1/s", every(t0, 5, time.Second, 1), 1, 1, 4 * time.Second},
		{"steady 5/s", every(t0, 11, 200*ms, 1), 1, 5, 2 * time.Second},
		// Paused for 10 minutes after the 6th text: the pause is left
		// out, and the first text after it waited in the pause.
		{"5/s paused 10 min", then(every(t0, 6, 200*ms, 1), every(t0.Add(10*time.Minute), 5, 200*ms, 1)), 2, 5, 1800 * ms},
		// The process down for 30 s at 1/s.
		{"1/s down 30 s", then(every(t0, 4, time.Second, 1), every(t0.Add(33*time.Second), 4, time.Second, 1)), 2, 1, 6 * time.Second},
		// Three pauses, each a stretch of its own, still the rate.
		{"2/s paused thrice", then(every(t0, 3, 500*ms, 1), every(t0.Add(time.Minute), 3, 500*ms, 1),
			every(t0.Add(2*time.Minute), 3, 500*ms, 1), every(t0.Add(time.Hour), 3, 500*ms, 1)), 4, 2, 4 * time.Second},
		// A slow sender's long gaps are its sending, not pauses.
		{"0.05/s", every(t0, 4, 20*time.Second, 1), 1, 0.05, time.Minute},
		// Segments count, not texts: 3-segment texts at 2 segments/s.
		{"3 segments at 2/s", every(t0, 5, 1500*ms, 3), 1, 2, 6 * time.Second},
		// A hiccup shorter than MinIdleGap counts as slow sending.
		{"1/s with a 5 s hiccup", then(every(t0, 3, time.Second, 1), every(t0.Add(7*time.Second), 3, time.Second, 1)), 1, 5.0 / 9, 9 * time.Second},
		// Texts that left together, then nothing for an hour.
		{"a burst then a pause", then(every(t0, 3, 0, 1), every(t0.Add(time.Hour), 2, time.Second, 1)), 2, 1, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := stats.Stretches(tt.sends)
			rate, active := stats.Achieved(st)
			if len(st) != tt.stretches || math.Abs(rate-tt.rate) > 1e-9 || active != tt.active {
				t.Fatalf("%d stretches, %.4f segments/s over %v; want %d, %.4f over %v\n%+v", len(st), rate, active, tt.stretches, tt.rate, tt.active, st)
			}
			texts := 0
			for _, s := range st {
				texts += s.Texts
			}
			if texts != len(tt.sends) {
				t.Fatalf("stretches hold %d texts of %d", texts, len(tt.sends))
			}
		})
	}
}

func TestIdleGap(t *testing.T) {
	tests := []struct {
		name  string
		sends []stats.Send
		want  time.Duration
	}{
		{"none", nil, stats.MinIdleGap},
		{"fast sender", every(t0, 10, 10*time.Millisecond, 1), stats.MinIdleGap},
		{"slow sender", every(t0, 10, 20*time.Second, 1), stats.IdleFactor * 20 * time.Second},
		// One long pause does not move the median.
		{"slow with a pause", then(every(t0, 5, 20*time.Second, 1), every(t0.Add(time.Hour), 5, 20*time.Second, 1)), stats.IdleFactor * 20 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := stats.IdleGap(tt.sends); got != tt.want {
				t.Fatalf("IdleGap = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestReportLeavesOutAPause: the fixture's sender A (1 segment/s) is
// paused for an hour before its last two texts; it still achieved 1/s,
// over the 3 s it was sending.
func TestReportLeavesOutAPause(t *testing.T) {
	st, id := fixture(t)
	ctx := context.Background()
	for _, d := range []time.Duration{3 * time.Second, 4 * time.Second} {
		if _, err := st.DB().DB.ExecContext(ctx, `UPDATE messages SET sent_at = ? WHERE sent_at = ? AND sender_id = 1`, t0.Add(time.Hour+d), t0.Add(d)); err != nil {
			t.Fatal(err)
		}
	}
	r, err := stats.Compute(ctx, st, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	if a := r.Senders[0]; a.Sender.ID != 1 || math.Abs(a.Achieved-1) > 1e-9 || a.Active != 3*time.Second {
		t.Fatalf("sender A: %.4f segments/s over %v, want 1 over 3s", a.Achieved, a.Active)
	}
}

// TestRecordedPausesSplitStretches: a recorded pause splits the sends
// around it however short it was, so it is left out of the rate; a pause
// with no sends on either side changes nothing.
func TestRecordedPausesSplitStretches(t *testing.T) {
	ms := time.Millisecond
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	// 5/s, paused from +2.1 s to +5.1 s: the first text after it at +5.2 s.
	fiveA, fiveB := every(t0, 11, 200*ms, 1), every(at(5200*ms), 11, 200*ms, 1)
	tests := []struct {
		name      string
		sends     []stats.Send
		paused    []stats.Interval
		stretches int
		rate      float64
		active    time.Duration
	}{
		{"5/s paused 3 s, not recorded", then(fiveA, fiveB), nil, 1, 21.0 / 7.2, 7200 * ms},
		{"5/s paused 3 s", then(fiveA, fiveB), []stats.Interval{{From: at(2100 * ms), To: at(5100 * ms)}}, 2, 5, 4 * time.Second},
		// A text in flight when the pause began, accepted during it, is
		// a stretch of its own.
		{"a text accepted during the pause", then(fiveA, every(at(2150*ms), 1, 0, 1), fiveB),
			[]stats.Interval{{From: at(2100 * ms), To: at(5100 * ms)}}, 3, 5, 4 * time.Second},
		// Paused at +1.1 s and not resumed: the texts still accepted
		// after it were in flight, each alone.
		{"still paused", fiveA, []stats.Interval{{From: at(time.Second + 100*ms)}}, 6, 5, time.Second},
		{"a pause before the first text", fiveA, []stats.Interval{{From: at(-time.Minute), To: at(-time.Second)}}, 1, 5, 2 * time.Second},
		{"1/s paused 1.5 s", then(every(t0, 3, time.Second, 1), every(at(3500*ms), 3, time.Second, 1)),
			[]stats.Interval{{From: at(2100 * ms), To: at(3400 * ms)}}, 2, 1, 4 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := stats.Stretches(tt.sends, tt.paused...)
			rate, active := stats.Achieved(st)
			if len(st) != tt.stretches || math.Abs(rate-tt.rate) > 1e-9 || active != tt.active {
				t.Fatalf("%d stretches, %.4f segments/s over %v; want %d, %.4f over %v\n%+v", len(st), rate, active, tt.stretches, tt.rate, tt.active, st)
			}
		})
	}
}
