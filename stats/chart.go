package stats

import (
	"bytes"
	"context"
	"fmt"
	"image/color"
	"sort"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"smsbot/broadcast"
)

// Chart size: 8 × 4 inches, rendered at 96 dots per inch.
const (
	ChartWidth  = 8 * vg.Inch
	ChartHeight = 4 * vg.Inch
)

// Series is one sender's cumulative sent and delivered counts over time.
type Series struct {
	Sender    broadcast.Sender
	Sent      plotter.XYs // X: seconds since the first send; Y: texts so far
	Delivered plotter.XYs
}

// maxPoints caps the points of a line; longer ones are thinned evenly.
const maxPoints = 500

// ChartData reads the timeline of broadcast id as one Series per sender.
func ChartData(ctx context.Context, st Store, id int64) ([]Series, time.Time, error) {
	senders, err := st.Senders(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	byID := map[int64]*Series{}
	var start time.Time
	var delivered = map[int64][]time.Time{}
	err = st.Timeline(ctx, id, func(p Point) error {
		if start.IsZero() {
			start = p.Sent
		}
		s := byID[p.SenderID]
		if s == nil {
			s = &Series{}
			for _, snd := range senders {
				if snd.ID == p.SenderID {
					s.Sender = snd
				}
			}
			byID[p.SenderID] = s
		}
		s.Sent = append(s.Sent, plotter.XY{X: p.Sent.Sub(start).Seconds(), Y: float64(len(s.Sent) + 1)})
		if !p.Delivered.IsZero() {
			delivered[p.SenderID] = append(delivered[p.SenderID], p.Delivered)
		}
		return nil
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	var out []Series
	for sid, s := range byID {
		ds := delivered[sid]
		sort.Slice(ds, func(i, j int) bool { return ds[i].Before(ds[j]) })
		for i, d := range ds {
			s.Delivered = append(s.Delivered, plotter.XY{X: d.Sub(start).Seconds(), Y: float64(i + 1)})
		}
		s.Sent, s.Delivered = fromZero(thin(s.Sent)), fromZero(thin(s.Delivered))
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Sender.ID < out[j].Sender.ID })
	return out, start, nil
}

// fromZero starts a cumulative line at 0, so a single text still draws.
func fromZero(xy plotter.XYs) plotter.XYs {
	if len(xy) == 0 {
		return xy
	}
	return append(plotter.XYs{{X: xy[0].X, Y: 0}}, xy...)
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

// Chart draws cumulative sent (solid) and delivered (dashed) texts over
// time, one color per sender, as a PNG of ChartWidth × ChartHeight.
func Chart(title string, series []Series) ([]byte, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "seconds since the first text"
	p.Y.Label.Text = "texts"
	p.Legend.Top, p.Legend.Left = true, true
	p.Y.Min = 0
	for i, s := range series {
		c := plotutil.Color(i)
		if err := addLine(p, s.Sent, c, nil, s.Sender.Address+" sent"); err != nil {
			return nil, err
		}
		if len(s.Delivered) > 0 {
			dashes := []vg.Length{vg.Points(4), vg.Points(3)}
			if err := addLine(p, s.Delivered, c, dashes, s.Sender.Address+" delivered"); err != nil {
				return nil, err
			}
		}
	}
	w, err := p.WriterTo(ChartWidth, ChartHeight, "png")
	if err != nil {
		return nil, fmt.Errorf("draw chart: %w", err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("draw chart: %w", err)
	}
	return buf.Bytes(), nil
}

func addLine(p *plot.Plot, xy plotter.XYs, c color.Color, dashes []vg.Length, name string) error {
	if len(xy) == 0 {
		return nil
	}
	l, err := plotter.NewLine(xy)
	if err != nil {
		return fmt.Errorf("draw chart: %w", err)
	}
	l.LineStyle = draw.LineStyle{Color: c, Width: vg.Points(1.5), Dashes: dashes}
	p.Add(l)
	p.Legend.Add(name, l)
	return nil
}
