package stats

import "gonum.org/v1/plot/plotter"

// timeUnit is the unit of a chart's time axis: seconds for a short
// broadcast, minutes or hours for longer ones, so that whole-number ticks
// stay few.
type timeUnit struct {
	name    string
	seconds float64
}

// unitFor picks the unit for the latest point of series.
func unitFor(series []Series) timeUnit {
	last := 0.0
	for _, s := range series {
		for _, pieces := range [][]plotter.XYs{s.Sent, s.Delivered} {
			for _, xy := range pieces {
				for _, p := range xy {
					last = max(last, p.X)
				}
			}
		}
	}
	switch {
	case last > 3*3600:
		return timeUnit{"hours", 3600}
	case last > 180:
		return timeUnit{"minutes", 60}
	}
	return timeUnit{"seconds", 1}
}

// scale copies pieces with X, in seconds, in the unit.
func (u timeUnit) scale(pieces []plotter.XYs) []plotter.XYs {
	out := make([]plotter.XYs, len(pieces))
	for i, xy := range pieces {
		out[i] = make(plotter.XYs, len(xy))
		for j, p := range xy {
			out[i][j] = plotter.XY{X: p.X / u.seconds, Y: p.Y}
		}
	}
	return out
}
