package stats

import (
	"time"

	"gonum.org/v1/plot"
)

// clockTicks marks a time axis, in Unix seconds, at round times of the
// clock in loc (18:00, 18:15, …; midnights for days), with at most
// maxTicks labels: the clock time, with the weekday when the axis spans
// more than a day.
type clockTicks struct{ loc *time.Location }

var _ plot.Ticker = clockTicks{}

// clockSteps are the steps a time axis can be marked at, shortest first.
var clockSteps = []time.Duration{
	10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour,
}

const day = 24 * time.Hour

// clockStep is the shortest step that marks span with fewer than
// maxTicks steps (whole weeks past the longest).
func clockStep(span time.Duration) time.Duration {
	for _, s := range clockSteps {
		if span/s < maxTicks {
			return s
		}
	}
	week := 7 * day
	return (span/(maxTicks-1)/week + 1) * week
}

// Ticks returns the ticks between lo and hi, Unix seconds.
func (c clockTicks) Ticks(lo, hi float64) []plot.Tick {
	from, to := unixTime(lo).In(c.loc), unixTime(hi).In(c.loc)
	step := clockStep(to.Sub(from))
	format := "15:04"
	switch {
	case step >= day:
		format = "Mon Jan 2"
	case to.Sub(from) > day || from.YearDay() != to.YearDay():
		format = "Mon 15:04"
	case step < time.Minute:
		format = "15:04:05"
	}
	// Count steps from midnight on the wall clock, so that ticks stay
	// on round times across a change to or from summer time.
	y, m, d := from.Date()
	k := 0
	if step < day {
		// Start a little before from: a change of summer time moves
		// the wall clock by up to an hour from the elapsed time.
		since := from.Sub(time.Date(y, m, d, 0, 0, 0, 0, c.loc))
		k = max(0, int((since-time.Hour)/step)-1)
	}
	var ticks []plot.Tick
	for ; ; k++ {
		var t time.Time
		if step >= day {
			t = time.Date(y, m, d+k*int(step/day), 0, 0, 0, 0, c.loc)
		} else {
			t = time.Date(y, m, d, 0, 0, k*int(step/time.Second), 0, c.loc)
		}
		if t.After(to) {
			break
		}
		if !t.Before(from) {
			ticks = append(ticks, plot.Tick{Value: unixSeconds(t), Label: t.Format(format)})
		}
	}
	return ticks
}

// unixSeconds is t on a time axis.
func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// unixTime is the time at x on a time axis.
func unixTime(x float64) time.Time {
	sec := int64(x)
	return time.Unix(sec, int64((x-float64(sec))*1e9))
}
