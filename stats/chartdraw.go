package stats

import (
	"bytes"
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Chart size: 8 × 4 inches, rendered at 96 dots per inch.
const (
	ChartWidth  = 8 * vg.Inch
	ChartHeight = 4 * vg.Inch
)

// yHeadroom is how far past its top point the counts axis goes, at least.
const yHeadroom = 1.05

// margin keeps the title, the axes and the legend off the image's edges.
var margin = vg.Points(8)

// markers is how many glyphs mark each line, so that senders whose lines
// overlap can still be told apart.
const markers = 8

// chart is a chart's plot and its legend, which is drawn beside the plot,
// outside the area of the data.
type chart struct {
	plot   *plot.Plot
	legend plot.Legend
}

// Chart draws cumulative sent (solid) and delivered (dashed) texts over
// time as a PNG of ChartWidth × ChartHeight. Each sender has its color and
// its marker shape, and earlier senders are drawn wider underneath later
// ones, so equal senders stay visible; lines break where sending stopped
// (paused, down); counts and times are marked with whole numbers; the
// legend is to the right of the plot.
func Chart(title string, series []Series) ([]byte, error) {
	c, err := newChart(title, series)
	if err != nil {
		return nil, err
	}
	return c.png()
}

// png draws c as a PNG of ChartWidth × ChartHeight.
func (c *chart) png() ([]byte, error) {
	img := vgimg.NewWith(vgimg.UseWH(ChartWidth, ChartHeight), vgimg.UseDPI(96))
	c.draw(draw.New(img))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("draw chart: %w", err)
	}
	return buf.Bytes(), nil
}

func newChart(title string, series []Series) (*chart, error) {
	unit := unitFor(series)
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = unit.name + " since the first text"
	p.Y.Label.Text = "texts"
	p.X.Tick.Marker, p.Y.Tick.Marker = integerTicks{}, integerTicks{}
	p.X.Min, p.Y.Min = 0, 0
	c := &chart{plot: p, legend: plot.NewLegend()}
	c.legend.Top, c.legend.Left = true, true
	for i, s := range series {
		st := lineStyle{color: plotutil.Color(i), shape: plotutil.Shape(i), width: vg.Points(1.5 + 2*float64(min(len(series)-1-i, 2)))}
		if err := c.addLine(unit.scale(s.Sent), st, i, len(series), s.Sender.Address+" sent"); err != nil {
			return nil, err
		}
		st.dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		if err := c.addLine(unit.scale(s.Delivered), st, i, len(series), s.Sender.Address+" delivered"); err != nil {
			return nil, err
		}
	}
	// The counts axis goes a little past the top point, so the line
	// does not run along the frame, and ends on a labelled tick. (The
	// time axis ends at the last text: whole ticks would waste up to half
	// the width on a short broadcast.)
	p.X.Max, p.Y.Max = max(p.X.Max, 1), niceMax(p.Y.Max, yHeadroom)
	p.Title.Padding = vg.Points(6)
	return c, nil
}

type lineStyle struct {
	color  color.Color
	shape  draw.GlyphDrawer
	width  vg.Length
	dashes []vg.Length
}

// addLine adds the pieces of one line, its markers, and one legend entry.
// Sender i of n places its markers shifted along the line, so that equal
// senders' markers fall apart.
func (c *chart) addLine(pieces []plotter.XYs, st lineStyle, i, n int, name string) error {
	var all plotter.XYs
	var first *plotter.Line
	for _, xy := range pieces {
		l, err := plotter.NewLine(xy)
		if err != nil {
			return fmt.Errorf("draw chart: %w", err)
		}
		l.LineStyle = draw.LineStyle{Color: st.color, Width: st.width, Dashes: st.dashes}
		c.plot.Add(l)
		if first == nil {
			first = l
		}
		all = append(all, xy...)
	}
	if first == nil {
		return nil
	}
	marks, err := plotter.NewScatter(markerPoints(all, i, n))
	if err != nil {
		return fmt.Errorf("draw chart: %w", err)
	}
	marks.GlyphStyle = draw.GlyphStyle{Color: st.color, Radius: vg.Points(3), Shape: st.shape}
	c.plot.Add(marks)
	c.legend.Add(name, first, marks)
	return nil
}

// markerPoints picks up to markers points of a line, evenly, shifted by
// (i+1)/(n+1) of their spacing for sender i of n.
func markerPoints(all plotter.XYs, i, n int) plotter.XYs {
	k := min(markers, len(all))
	out := make(plotter.XYs, 0, k)
	for j := range k {
		idx := int((float64(j) + float64(i+1)/float64(n+1)) * float64(len(all)) / float64(k))
		out = append(out, all[min(idx, len(all)-1)])
	}
	return out
}

// layout splits dc into the plot's area and, to its right, the legend's,
// whose top is level with the top of the data, both a margin inside dc.
func (c *chart) layout(dc draw.Canvas) (plotArea, legendArea draw.Canvas) {
	dc = draw.Crop(dc, margin, -margin, margin, -margin)
	pad := vg.Points(8)
	width := c.legend.Rectangle(dc).Size().X
	plotArea, legendArea = dc, dc
	plotArea.Max.X = dc.Max.X - width - 2*pad
	legendArea.Min.X = plotArea.Max.X + pad
	legendArea.Max.Y = c.plot.DataCanvas(plotArea).Max.Y
	return plotArea, legendArea
}

// draw draws the chart on a white dc.
func (c *chart) draw(dc draw.Canvas) {
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	plotArea, legendArea := c.layout(dc)
	c.plot.Draw(plotArea)
	c.legend.Draw(legendArea)
}
