package stats

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"smsbot/broadcast"
)

var c0 = time.Date(2026, 12, 1, 18, 45, 0, 0, time.UTC)

// sendsAt is a sender's series sending one text at each of secs.
func sendsAt(addr string, id int64, secs ...float64) Series {
	var at []time.Time
	var ss []Send
	for _, s := range secs {
		t := c0.Add(time.Duration(s * float64(time.Second)))
		at = append(at, t)
		ss = append(ss, Send{At: t, Segments: 1})
	}
	return Series{Sender: broadcast.Sender{ID: id, Address: addr}, Sent: cumulative(at, c0, IdleGap(ss), nil)}
}

func steady(n int, from, gap float64) []float64 {
	var out []float64
	for i := range n {
		out = append(out, from+float64(i)*gap)
	}
	return out
}

func TestIntegerTicks(t *testing.T) {
	for _, r := range [][2]float64{{0, 1}, {0, 3}, {0, 7}, {0, 50}, {0, 1234}, {0.5, 2.5}, {0, 0.4}, {3, 97}} {
		ticks := integerTicks{}.Ticks(r[0], r[1])
		labelled := 0
		for _, tk := range ticks {
			if tk.Value != math.Trunc(tk.Value) || tk.Value < math.Floor(r[0]) || tk.Value > math.Ceil(r[1]) {
				t.Errorf("%v: tick at %v", r, tk.Value)
			}
			if tk.Label == "" {
				continue
			}
			labelled++
			if tk.Label != strconv.Itoa(int(tk.Value)) || strings.Contains(tk.Label, ".") {
				t.Errorf("%v: tick %v labelled %q", r, tk.Value, tk.Label)
			}
		}
		if want := min(2, int(math.Floor(r[1])-math.Ceil(r[0]))+1); labelled < max(want, 1) || labelled > maxTicks {
			t.Errorf("%v: %d labelled ticks: %+v", r, labelled, ticks)
		}
	}
}

// layoutOf lays out a chart of series on a canvas of the chart's size.
func layoutOf(t *testing.T, series []Series) (*chart, draw.Canvas, draw.Canvas) {
	t.Helper()
	c, err := newChart("Broadcast #1 to crew", series)
	if err != nil {
		t.Fatal(err)
	}
	dc := draw.New(vgimg.NewWith(vgimg.UseWH(ChartWidth, ChartHeight), vgimg.UseDPI(96)))
	plotArea, legendArea := c.layout(dc)
	return c, plotArea, legendArea
}

func TestChartLegendIsOutsideTheData(t *testing.T) {
	series := []Series{sendsAt("+12065550101", 1, steady(20, 0, 1)...), sendsAt("+12065550102", 2, steady(20, 0, 1)...)}
	c, plotArea, legendArea := layoutOf(t, series)
	data := c.plot.DataCanvas(plotArea).Rectangle
	legend := c.legend.Rectangle(legendArea)
	if legend.Min.X < data.Max.X || legend.Max.X > ChartWidth || legend.Min.Y < 0 || legend.Max.Y > ChartHeight {
		t.Fatalf("legend at %v, data at %v, canvas %v × %v: the legend must be right of the data, on the canvas", legend, data, ChartWidth, ChartHeight)
	}
	if _, ok := c.plot.Y.Tick.Marker.(integerTicks); !ok {
		t.Errorf("the counts axis ticks with %T", c.plot.Y.Tick.Marker)
	}
	if _, ok := c.plot.X.Tick.Marker.(integerTicks); !ok {
		t.Errorf("the time axis ticks with %T", c.plot.X.Tick.Marker)
	}
}

// render draws series and returns the image and a function that gives
// the pixel of a data point.
func render(t *testing.T, series []Series) (image.Image, func(x, y float64) image.Point) {
	t.Helper()
	c, plotArea, _ := layoutOf(t, series)
	data := c.plot.DataCanvas(plotArea)
	img, err := Chart("Broadcast #1 to crew", series)
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := png.Decode(bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	px := func(l vg.Length) int { return int(math.Round(float64(l) * 96 / 72)) }
	h := decoded.Bounds().Dy()
	return decoded, func(x, y float64) image.Point {
		return image.Pt(px(data.X(c.plot.X.Norm(x))), h-px(data.Y(c.plot.Y.Norm(y))))
	}
}

// count counts the pixels of exactly color want within r.
func count(img image.Image, r image.Rectangle, want color.Color) int {
	n := 0
	wr, wg, wb, _ := want.RGBA()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if cr, cg, cb, _ := img.At(x, y).RGBA(); cr == wr && cg == wg && cb == wb {
				n++
			}
		}
	}
	return n
}

// TestChartShowsEqualSendersBoth: two senders that sent the same texts at
// the same times are both visible in the data area.
func TestChartShowsEqualSendersBoth(t *testing.T) {
	series := []Series{sendsAt("+12065550101", 1, steady(30, 0, 1)...), sendsAt("+12065550102", 2, steady(30, 0, 1)...)}
	img, at := render(t, series)
	area := image.Rectangle{Min: at(0, 30), Max: at(29, 0)}.Canon()
	for i := range series {
		if n := count(img, area, plotutil.Color(i)); n < 100 {
			t.Errorf("sender %d: %d pixels of its color in the data area %v, want it visible", i, n, area)
		}
	}
}

// TestChartBreaksAtAPause: a sender paused between 9 s and 60 s has no
// line across the pause; joined into one piece, the same columns do.
func TestChartBreaksAtAPause(t *testing.T) {
	s := sendsAt("+12065550101", 1, append(steady(10, 0, 1), steady(10, 60, 1)...)...)
	if len(s.Sent) != 2 {
		t.Fatalf("%d pieces, want 2: %+v", len(s.Sent), s.Sent)
	}
	gap := func(s Series) int {
		img, at := render(t, []Series{s})
		area := image.Rectangle{Min: at(9, 20), Max: at(60, 0)}.Canon().Inset(6)
		return count(img, area, plotutil.Color(0))
	}
	if n := gap(s); n != 0 {
		t.Errorf("%d pixels of the line drawn across the pause", n)
	}
	joined := s
	joined.Sent = []plotter.XYs{append(append(plotter.XYs{}, s.Sent[0]...), s.Sent[1]...)}
	if n := gap(joined); n == 0 {
		t.Errorf("the test cannot see a line across the pause")
	}
}

// TestChartBreaksAtRecordedPause: a 3 s pause at 5/s, shorter than the
// idle gap, is a gap between two pieces of line, not a slope.
func TestChartBreaksAtRecordedPause(t *testing.T) {
	var at []time.Time
	for _, s := range append(steady(11, 0, 0.2), steady(11, 5.2, 0.2)...) {
		at = append(at, c0.Add(time.Duration(s*float64(time.Second))))
	}
	paused := []Interval{{From: c0.Add(2100 * time.Millisecond), To: c0.Add(5100 * time.Millisecond)}}
	pieces := cumulative(at, c0, MinIdleGap, paused)
	if len(pieces) != 2 {
		t.Fatalf("%d pieces, want 2: %v", len(pieces), pieces)
	}
	if last, first := pieces[0][len(pieces[0])-1], pieces[1][0]; last.X != 2 || last.Y != 11 || first.X != 5.2 || first.Y != 11 {
		t.Fatalf("the gap runs from %v to %v, want (2, 11) to (5.2, 11)", last, first)
	}
}

// TestChartFramesItsData: the counts axis goes past the top point to a
// labelled whole tick, and nothing is drawn on the image's outer edge
// (the title and legend keep a margin).
func TestChartFramesItsData(t *testing.T) {
	for _, n := range []int{1, 7, 10, 91, 100, 1234} {
		series := []Series{sendsAt("+15005550006", 1, steady(n, 0, 4.8/float64(max(n-1, 1)))...)}
		c, err := newChart("Broadcast #1 to h", series)
		if err != nil {
			t.Fatal(err)
		}
		top := c.plot.Y.Max
		if top < float64(n)*1.04 {
			t.Errorf("%d texts: the counts axis ends at %v, want headroom above %d", n, top, n)
		}
		if !labelledAt(c.plot.Y.Tick.Marker.Ticks(c.plot.Y.Min, top), top) {
			t.Errorf("%d texts: no labelled tick at the top of the counts axis, %v", n, top)
		}
	}
	img, _ := render(t, []Series{sendsAt("+15005550006", 1, steady(91, 0, 0.05)...)})
	b := img.Bounds()
	margin := 4
	for _, edge := range []image.Rectangle{
		image.Rect(b.Min.X, b.Min.Y, b.Max.X, b.Min.Y+margin), // top, where the title is
		image.Rect(b.Max.X-margin, b.Min.Y, b.Max.X, b.Max.Y), // right, where the legend is
		image.Rect(b.Min.X, b.Max.Y-margin, b.Max.X, b.Max.Y),
		image.Rect(b.Min.X, b.Min.Y, b.Min.X+margin, b.Max.Y),
	} {
		if n := edge.Dx()*edge.Dy() - count(img, edge, color.White); n > 0 {
			t.Errorf("%d pixels drawn within %d px of the edge, in %v", n, margin, edge)
		}
	}
}

func labelledAt(ticks []plot.Tick, v float64) bool {
	for _, tk := range ticks {
		if tk.Value == v && tk.Label != "" {
			return true
		}
	}
	return false
}

// timelineStore is a Store with only a timeline and pauses.
type timelineStore struct {
	Store
	points []Point
	paused []Interval
}

func (s timelineStore) Senders(context.Context) ([]broadcast.Sender, error) { return nil, nil }
func (s timelineStore) Paused(context.Context, int64) ([]Interval, error)   { return s.paused, nil }
func (s timelineStore) Timeline(_ context.Context, _ int64, fn func(Point) error) error {
	for _, p := range s.points {
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

// TestChartDeliveredThroughAPause: receipts that come in while sending is
// paused for 3 s keep the delivered line whole; the sent line breaks.
func TestChartDeliveredThroughAPause(t *testing.T) {
	var points []Point
	for i, s := range append(steady(11, 0, 0.2), steady(11, 5.2, 0.2)...) {
		sent := c0.Add(time.Duration(s * float64(time.Second)))
		points = append(points, Point{SenderID: 1, Segments: 1, Sent: sent, Delivered: sent.Add(time.Duration(1000+100*i) * time.Millisecond)})
	}
	st := timelineStore{points: points, paused: []Interval{{From: c0.Add(2100 * time.Millisecond), To: c0.Add(5100 * time.Millisecond)}}}
	series, _, err := ChartData(context.Background(), st, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(series) != 1 || len(series[0].Sent) != 2 || len(series[0].Delivered) != 1 {
		t.Fatalf("sent in %d pieces, delivered in %d; want 2 and 1", len(series[0].Sent), len(series[0].Delivered))
	}
}
