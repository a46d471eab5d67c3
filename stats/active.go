package stats

import (
	"slices"
	"time"
)

// How the achieved rate leaves out the time a sender was not sending.
//
// Pauses are known: every pause and resume is recorded (see
// Store.Paused), and a pause between two sends splits them, however
// short it was. Downtime is not: while the process is down (stopped,
// crashed, the machine asleep) a broadcast stays "sending" in the
// database, and nothing records it. The sends themselves can show it.
// While a sender is sending, its texts leave one after another at about
// its rate; downtime or a wait for a number leaves a gap far longer than
// the others. So each sender's sends are split into stretches wherever a
// recorded pause lies between two consecutive ones, or they are more
// than its idle gap apart (see IdleGap), and only the time inside
// stretches counts.
//
// The achieved rate is then the segments sent after the first text of
// each stretch divided by the stretches' total length: a stretch's first
// text waited in the gap before it, so its segments are not counted, and
// a stretch of one text adds nothing. At a steady rate r this gives r
// exactly, however many pauses there were.
//
// What it cannot see: downtime shorter than the idle gap counts as slow
// sending, and a sender slowed down beyond the idle gap (a long
// Retry-After from the provider) has those waits left out.
const (
	// MinIdleGap is the shortest gap taken as not sending, so that
	// ordinary jitter and short throttling of a fast sender still count.
	MinIdleGap = 10 * time.Second
	// IdleFactor times a sender's median gap between sends is its idle
	// gap when that is longer than MinIdleGap (slow senders).
	IdleFactor = 4
)

// Send is one accepted text of one sender, for the achieved rate.
type Send struct {
	At       time.Time
	Segments int
}

// Stretch is a run of one sender's sends with no idle gap inside.
type Stretch struct {
	First, Last time.Time
	Texts       int
	// Segments counts the segments of its texts after the first: those
	// that went out between First and Last.
	Segments int
}

// IdleGap is the gap between two consecutive sends (in time order) above
// which the sender is taken to have stopped rather than to be sending
// slowly: IdleFactor times the median gap, and at least MinIdleGap.
func IdleGap(sends []Send) time.Duration {
	if len(sends) < 2 {
		return MinIdleGap
	}
	gaps := make([]time.Duration, 0, len(sends)-1)
	for i := 1; i < len(sends); i++ {
		gaps = append(gaps, sends[i].At.Sub(sends[i-1].At))
	}
	slices.Sort(gaps)
	return max(MinIdleGap, IdleFactor*gaps[len(gaps)/2])
}

// Interval is a span of time from From to To; a zero To means it has not
// ended.
type Interval struct {
	From, To time.Time
}

// splits reports whether consecutive events at a and then b belong to
// different stretches: they are more than idle apart, or one of paused
// lies (in part) between them.
func splits(a, b time.Time, idle time.Duration, paused []Interval) bool {
	if b.Sub(a) > idle {
		return true
	}
	for _, p := range paused {
		if p.From.Before(b) && (p.To.IsZero() || p.To.After(a)) {
			return true
		}
	}
	return false
}

// Stretches splits one sender's sends, in time order, at every gap longer
// than their IdleGap and at every pause in paused.
func Stretches(sends []Send, paused ...Interval) []Stretch {
	idle := IdleGap(sends)
	var out []Stretch
	for i, s := range sends {
		if i == 0 || splits(sends[i-1].At, s.At, idle, paused) {
			out = append(out, Stretch{First: s.At, Last: s.At, Texts: 1})
			continue
		}
		cur := &out[len(out)-1]
		cur.Last = s.At
		cur.Texts++
		cur.Segments += s.Segments
	}
	return out
}

// Achieved returns the rate, in segments per second, achieved over the
// stretches, and the time they cover. The rate is 0 when no stretch has
// two texts apart in time.
func Achieved(stretches []Stretch) (rate float64, active time.Duration) {
	segments := 0
	for _, s := range stretches {
		if span := s.Last.Sub(s.First); span > 0 {
			active += span
			segments += s.Segments
		}
	}
	if active <= 0 {
		return 0, 0
	}
	return float64(segments) / active.Seconds(), active
}
