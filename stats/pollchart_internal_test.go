package stats

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"smsbot/broadcast"
)

func TestClockTicks(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	at := func(loc *time.Location, s string) float64 {
		tm, err := time.ParseInLocation("2006-01-02 15:04:05", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return unixSeconds(tm)
	}
	tests := []struct {
		name     string
		loc      *time.Location
		from, to string
		want     []string
	}{
		{"a minute: every 15 s", time.UTC, "2026-12-01 18:00:05", "2026-12-01 18:01:05",
			[]string{"18:00:15", "18:00:30", "18:00:45", "18:01:00"}},
		{"40 s: every 10 s", time.UTC, "2026-12-01 18:00:00", "2026-12-01 18:00:40",
			[]string{"18:00:00", "18:00:10", "18:00:20", "18:00:30", "18:00:40"}},
		{"an hour: every 15 min", time.UTC, "2026-12-01 18:00:00", "2026-12-01 19:00:00",
			[]string{"18:00", "18:15", "18:30", "18:45", "19:00"}},
		{"odd start: round times only", time.UTC, "2026-12-01 18:07:13", "2026-12-01 19:52:00",
			[]string{"18:30", "19:00", "19:30"}},
		{"in the router's zone, not UTC", la, "2026-12-01 10:00:00", "2026-12-01 16:00:00",
			[]string{"10:00", "12:00", "14:00", "16:00"}},
		{"over midnight: with the weekday", la, "2026-12-01 20:00:00", "2026-12-02 08:00:00",
			[]string{"Tue 21:00", "Wed 00:00", "Wed 03:00", "Wed 06:00"}},
		{"three days: midnights", time.UTC, "2026-12-01 18:00:00", "2026-12-04 18:00:00",
			[]string{"Wed Dec 2", "Thu Dec 3", "Fri Dec 4"}},
		{"across the end of summer time: still on the hour", la, "2026-11-01 00:00:00", "2026-11-01 12:00:00",
			[]string{"00:00", "03:00", "06:00", "09:00", "12:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, tk := range (clockTicks{loc: tt.loc}).Ticks(at(tt.loc, tt.from), at(tt.loc, tt.to)) {
				got = append(got, tk.Label)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("ticks %q, want %q", got, tt.want)
			}
			if len(got) > maxTicks {
				t.Fatalf("%d ticks, want at most %d", len(got), maxTicks)
			}
		})
	}
}

func TestOptionLineSteps(t *testing.T) {
	m := func(x float64) time.Time { return p0.Add(time.Duration(x * float64(time.Minute))) }
	got := optionLine([]time.Time{m(2), m(5)}, m(0), m(10))
	want := plotter.XYs{{X: unixSeconds(m(0))}, {X: unixSeconds(m(2)), Y: 1}, {X: unixSeconds(m(5)), Y: 2}, {X: unixSeconds(m(10)), Y: 2}}
	if len(got) != len(want) {
		t.Fatalf("line %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("line %v, want %v", got, want)
		}
	}
	if none := optionLine(nil, m(0), m(10)); len(none) != 2 || none[0].Y != 0 || none[1].Y != 0 {
		t.Fatalf("an option nobody chose: %v, want a flat line at 0", none)
	}
}

// pollFixture is a 9-option poll's report with n answers spread over
// two hours, most to the first options.
func pollFixture(n int) PollReport {
	opts := []string{"5 pm shuttle", "7 pm shuttle", "I'll drive", "Bike", "Walk", "Not coming", "Maybe",
		"A very long option label that the legend has to shorten", "Other"}
	var answers []broadcast.PollAnswer
	for i := range n {
		sent := p0.Add(time.Duration(i) * time.Second / 10)
		first := sent.Add(time.Duration(i*i%7200) * time.Second)
		now := first
		if i%10 == 0 {
			now = first.Add(10 * time.Minute)
		}
		// Option 1 the most popular, 9 the least.
		option := len(opts) - int(math.Sqrt(float64(i%(len(opts)*len(opts)))))
		answers = append(answers, broadcast.PollAnswer{Option: option, SentAt: &sent, FirstAt: &first, AnsweredAt: &now})
	}
	return pollReport(broadcast.Poll{ID: 4, Question: broadcast.Question{Text: "How are you getting there?", Options: opts}}, answers, p0.Add(3*time.Hour))
}

func TestPollChartRenders(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		rep  PollReport
	}{
		{"nine options, 200 answers", pollFixture(200)},
		{"nothing sent yet", pollReport(broadcast.Poll{ID: 5, Question: broadcast.Question{Options: []string{"Yes", "No"}}}, nil, p0)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := PollChart("Poll #4 to crew", tt.rep, la)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("not a PNG: %v", err)
			}
			if got := img.Bounds().Size(); got.X != 8*96 || got.Y != 4*96 {
				t.Fatalf("size %v, want 768×384", got)
			}
			if dir := os.Getenv("SMSBOT_CHART_DIR"); dir != "" {
				if err := os.WriteFile(filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".png"), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestPollChartLegendIsOutsideTheData(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	rep := pollFixture(50)
	c, err := newPollChart("Poll #4 to crew", rep, la)
	if err != nil {
		t.Fatal(err)
	}
	dc := draw.New(vgimg.NewWith(vgimg.UseWH(ChartWidth, ChartHeight), vgimg.UseDPI(96)))
	plotArea, legendArea := c.layout(dc)
	data := c.plot.DataCanvas(plotArea)
	legend := c.legend.Rectangle(legendArea)
	if legend.Min.X < data.Max.X {
		t.Fatalf("legend from x=%v, inside the data, which ends at x=%v", legend.Min.X, data.Max.X)
	}
	if legend.Max.X > dc.Max.X {
		t.Fatalf("legend ends at x=%v, past the image's %v", legend.Max.X, dc.Max.X)
	}
	if top := float64(slices.Max(rep.Counts)); c.plot.Y.Max < top || c.plot.Y.Max != niceMax(c.plot.Y.Max, 1) {
		t.Fatalf("counts axis ends at %v: below the top count %v, or not on a labelled tick", c.plot.Y.Max, top)
	}
}

func TestStepMarkersAreOnTheLine(t *testing.T) {
	xy := plotter.XYs{{X: 0}, {X: 1, Y: 1}, {X: 2, Y: 2}, {X: 9, Y: 3}, {X: 16, Y: 3}}
	for i := range 3 {
		marks := stepMarkers(xy, i, 3)
		if len(marks) != markers {
			t.Fatalf("option %d: %d markers, want %d", i, len(marks), markers)
		}
		for j, m := range marks {
			// On a post-step line, the height at x is that of the last
			// point at or before x.
			want := 0.0
			for _, p := range xy {
				if p.X <= m.X {
					want = p.Y
				}
			}
			if m.Y != want || m.X < 0 || m.X > 16 {
				t.Fatalf("option %d marker %d at %v, want height %v between 0 and 16", i, j, m, want)
			}
			if j > 0 && m.X-marks[j-1].X != 2 {
				t.Fatalf("option %d: markers %v, want them 2 apart", i, marks)
			}
		}
	}
	if a, b := stepMarkers(xy, 0, 3)[0].X, stepMarkers(xy, 1, 3)[0].X; a == b {
		t.Fatalf("options 0 and 1 both put a marker at %v", a)
	}
}
