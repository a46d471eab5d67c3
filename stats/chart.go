package stats

import (
	"context"
	"sort"
	"time"

	"gonum.org/v1/plot/plotter"

	"smsbot/broadcast"
)

// Series is one sender's cumulative sent and delivered counts over time.
// The sent line is in pieces, one per stretch of steady sending (see
// Stretches): a pause, however short, or downtime is a gap between
// pieces, not a slope. The delivered line breaks only at idle gaps, as
// receipts still come in during a pause.
type Series struct {
	Sender    broadcast.Sender
	Sent      []plotter.XYs // X: seconds since the first send; Y: texts so far
	Delivered []plotter.XYs
}

// maxPoints caps the points of a piece of line; longer ones are thinned
// evenly.
const maxPoints = 500

// ChartData reads the timeline of broadcast id as one Series per sender.
func ChartData(ctx context.Context, st Store, id int64) ([]Series, time.Time, error) {
	senders, err := st.Senders(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	byID := map[int64]broadcast.Sender{}
	for _, s := range senders {
		byID[s.ID] = s
	}
	paused, err := st.Paused(ctx, id)
	if err != nil {
		return nil, time.Time{}, err
	}
	var start time.Time
	sends := map[int64][]Send{}
	delivered := map[int64][]time.Time{}
	err = st.Timeline(ctx, id, func(p Point) error {
		if start.IsZero() {
			start = p.Sent
		}
		sends[p.SenderID] = append(sends[p.SenderID], Send{At: p.Sent, Segments: p.Segments})
		if !p.Delivered.IsZero() {
			delivered[p.SenderID] = append(delivered[p.SenderID], p.Delivered)
		}
		return nil
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	var out []Series
	for sid, ss := range sends {
		s := Series{Sender: byID[sid]}
		if s.Sender.ID == 0 {
			s.Sender.ID = sid
		}
		at := make([]time.Time, len(ss))
		for i, x := range ss {
			at[i] = x.At
		}
		idle := IdleGap(ss)
		s.Sent = cumulative(at, start, idle, paused)
		ds := delivered[sid]
		sort.Slice(ds, func(i, j int) bool { return ds[i].Before(ds[j]) })
		// Receipts keep coming while sending is paused: the delivered
		// line breaks only where none came for the idle gap.
		s.Delivered = cumulative(ds, start, idle, nil)
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Sender.ID < out[j].Sender.ID })
	return out, start, nil
}

// cumulative counts times (in order) as a line from 0, X in seconds since
// start, broken into pieces wherever two are more than idle apart or a
// pause lies between them.
func cumulative(times []time.Time, start time.Time, idle time.Duration, paused []Interval) []plotter.XYs {
	var pieces []plotter.XYs
	for i, t := range times {
		xy := plotter.XY{X: t.Sub(start).Seconds(), Y: float64(i + 1)}
		switch {
		case i == 0 || splits(times[i-1], t, idle, paused):
			// A piece starts from the count before it, so a piece of
			// a single text still draws.
			pieces = append(pieces, plotter.XYs{{X: xy.X, Y: float64(i)}, xy})
		default:
			pieces[len(pieces)-1] = append(pieces[len(pieces)-1], xy)
		}
	}
	for i := range pieces {
		pieces[i] = thin(pieces[i])
	}
	return pieces
}

// thin keeps at most maxPoints of a line, always its last.
func thin(xy plotter.XYs) plotter.XYs {
	if len(xy) <= maxPoints {
		return xy
	}
	out := make(plotter.XYs, 0, maxPoints)
	step := float64(len(xy)-1) / float64(maxPoints-1)
	for i := range maxPoints {
		out = append(out, xy[int(float64(i)*step+0.5)])
	}
	return out
}
