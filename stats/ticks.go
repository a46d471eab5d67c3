package stats

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// integerTicks marks whole numbers only, labelled without decimals (0, 5,
// 10, never 0.00 or 2.50), at steps of 1, 2 or 5 times a power of ten,
// about maxTicks of them.
type integerTicks struct{}

const maxTicks = 6

var _ plot.Ticker = integerTicks{}

// Ticks returns the major ticks between lo and hi, and minor ones between
// them where a whole step fits.
func (integerTicks) Ticks(lo, hi float64) []plot.Tick {
	first, last := math.Ceil(lo), math.Floor(hi)
	if last < first {
		return []plot.Tick{{Value: first, Label: label(first)}}
	}
	step := integerStep(last - first)
	var ticks []plot.Tick
	for v := math.Ceil(first/step) * step; v <= last; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: label(v)})
	}
	if minor := minorStep(step); minor > 0 {
		for v := math.Ceil(first/minor) * minor; v <= last; v += minor {
			if math.Mod(v, step) != 0 {
				ticks = append(ticks, plot.Tick{Value: v})
			}
		}
	}
	return ticks
}

// integerStep is the smallest of 1, 2, 5, 10, 20, 50… that marks span with
// at most maxTicks ticks.
func integerStep(span float64) float64 {
	for pow := 1.0; ; pow *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if span/(m*pow) < maxTicks {
				return m * pow
			}
		}
	}
}

// niceMax is where an axis whose data reach v should end: at least v
// times headroom (1 for none), rounded up to a whole tick that
// integerTicks labels, so the top point is inside the axis and the axis
// ends on a number.
func niceMax(v, headroom float64) float64 {
	hi := max(math.Ceil(v*headroom), 1)
	for {
		step := integerStep(hi)
		if math.Mod(hi, step) == 0 {
			return hi
		}
		hi = math.Ceil(hi/step) * step
	}
}

// minorStep divides a major step into whole minor steps, or is 0 when it
// cannot (a step of 1).
func minorStep(step float64) float64 {
	switch {
	case step == 1:
		return 0
	case math.Mod(step, 5) == 0:
		return step / 5
	default:
		return step / 2
	}
}

func label(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) }
