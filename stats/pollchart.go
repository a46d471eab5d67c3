package stats

import (
	"fmt"
	"image/color"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// optionColors are the poll chart's colors, one per option (up to 9):
// the broadcast chart's seven, then two more.
var optionColors = append(append([]color.Color(nil), plotutil.DefaultColors...),
	color.RGBA{R: 96, G: 96, B: 96, A: 255}, color.RGBA{R: 150, G: 140, B: 40, A: 255})

// minSpan is the shortest time axis a poll chart has, so that a poll
// charted minutes after it was sent still gets a few round times.
const minSpan = time.Minute

// legendLabel is the most of an option's label the legend shows.
const legendLabel = 32

// PollChart draws the cumulative answers per option of a poll's report
// over time as a PNG of ChartWidth × ChartHeight: one step line per
// option, from the first text to the report's End, each with its color
// and marker shape, counts marked with whole numbers, times with round
// clock times in loc, and the options' labels and counts in a legend to
// the right of the plot. An answer is placed at the time of the
// contact's current answer.
func PollChart(title string, rep PollReport, loc *time.Location) ([]byte, error) {
	c, err := newPollChart(title, rep, loc)
	if err != nil {
		return nil, err
	}
	return c.png()
}

// pollSpan is the time axis of rep's chart: from its first text (or
// first answer, if earlier) to its End (or last answer, if later), at
// least minSpan.
func pollSpan(rep PollReport) (from, to time.Time) {
	from, to = rep.Start, rep.End
	for _, ts := range rep.Timeline {
		if len(ts) == 0 {
			continue
		}
		if from.IsZero() || ts[0].Before(from) {
			from = ts[0]
		}
		if last := ts[len(ts)-1]; last.After(to) {
			to = last
		}
	}
	if from.IsZero() {
		from = to
	}
	if to.Sub(from) < minSpan {
		to = from.Add(minSpan)
	}
	return from, to
}

// optionLine is the cumulative count of answers at times (in order),
// from 0 at from to its total at to, thinned to maxPoints.
func optionLine(times []time.Time, from, to time.Time) plotter.XYs {
	xy := make(plotter.XYs, 0, len(times)+2)
	xy = append(xy, plotter.XY{X: unixSeconds(from)})
	for i, t := range times {
		xy = append(xy, plotter.XY{X: unixSeconds(t), Y: float64(i + 1)})
	}
	return thin(append(xy, plotter.XY{X: unixSeconds(to), Y: float64(len(times))}))
}

// newPollChart lays out rep's chart: a line per option, times in loc.
func newPollChart(title string, rep PollReport, loc *time.Location) (*chart, error) {
	from, to := pollSpan(rep)
	zone, _ := from.In(loc).Zone()
	p := plot.New()
	p.Title.Text = title
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = "time (" + zone + ")"
	p.Y.Label.Text = "answers"
	p.X.Tick.Marker, p.Y.Tick.Marker = clockTicks{loc: loc}, integerTicks{}
	p.Y.Min = 0
	c := &chart{plot: p, legend: plot.NewLegend()}
	c.legend.Top, c.legend.Left = true, true
	n := len(rep.Poll.Question.Options)
	top := 0
	for i, label := range rep.Poll.Question.Options {
		times := rep.Timeline[i]
		top = max(top, len(times))
		st := lineStyle{color: optionColors[i%len(optionColors)], shape: plotutil.Shape(i),
			width: vg.Points(1.5 + float64(min(n-1-i, 2)))}
		name := fmt.Sprintf("%d) %s: %d", i+1, clipLabel(label), len(times))
		if err := c.addStepLine(optionLine(times, from, to), st, i, n, name); err != nil {
			return nil, err
		}
	}
	// The counts axis goes a little past the top, to a labelled tick,
	// as in the broadcast chart; the time axis is the poll's span.
	p.X.Min, p.X.Max = unixSeconds(from), unixSeconds(to)
	p.Y.Max = niceMax(float64(top), yHeadroom)
	return c, nil
}

// addStepLine adds one option's line, stepping up at each answer, its
// markers (shifted along the line for option i of n, so that equal
// options' markers fall apart) and its legend entry.
func (c *chart) addStepLine(xy plotter.XYs, st lineStyle, i, n int, name string) error {
	l, err := plotter.NewLine(xy)
	if err != nil {
		return fmt.Errorf("draw chart: %w", err)
	}
	l.StepStyle = plotter.PostStep
	l.LineStyle = draw.LineStyle{Color: st.color, Width: st.width}
	marks, err := plotter.NewScatter(stepMarkers(xy, i, n))
	if err != nil {
		return fmt.Errorf("draw chart: %w", err)
	}
	marks.GlyphStyle = draw.GlyphStyle{Color: st.color, Radius: vg.Points(3), Shape: st.shape}
	c.plot.Add(l, marks)
	c.legend.Add(name, l, marks)
	return nil
}

// stepMarkers places markers on a step line evenly in time, not by
// point (answers bunch up early), shifted by (i+1)/(n+1) of their
// spacing for option i of n.
func stepMarkers(xy plotter.XYs, i, n int) plotter.XYs {
	from, to := xy[0].X, xy[len(xy)-1].X
	out := make(plotter.XYs, 0, markers)
	k := 0
	for j := range markers {
		x := from + (float64(j)+float64(i+1)/float64(n+1))*(to-from)/markers
		for k+1 < len(xy) && xy[k+1].X <= x {
			k++
		}
		out = append(out, plotter.XY{X: x, Y: xy[k].Y})
	}
	return out
}

// clipLabel shortens an option's label for the legend.
func clipLabel(s string) string {
	r := []rune(s)
	if len(r) <= legendLabel {
		return s
	}
	return string(r[:legendLabel-1]) + "…"
}
