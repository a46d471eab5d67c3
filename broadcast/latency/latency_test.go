package latency_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"smsbot/broadcast/latency"
)

const ms = time.Millisecond

func TestParse(t *testing.T) {
	tests := []struct {
		in     string
		want   latency.Dist
		str    string
		median time.Duration
	}{
		{"", latency.Dist{}, "0", 0},
		{"0", latency.Dist{}, "0", 0},
		{"0s", latency.Dist{}, "0", 0},
		{" 0ms ", latency.Dist{}, "0", 0},
		{"150ms", latency.Constant(150 * ms), "150ms", 150 * ms},
		{"1.5s", latency.Constant(1500 * ms), "1.5s", 1500 * ms},
		{"150ms/400ms", latency.LogNormal(150*ms, 400*ms), "150ms/400ms", 150 * ms},
		{" 150ms / 0.4s ", latency.LogNormal(150*ms, 400*ms), "150ms/400ms", 150 * ms},
		{"150ms/150ms", latency.LogNormal(150*ms, 150*ms), "150ms/150ms", 150 * ms},
		{"50ms..400ms", latency.Uniform(50*ms, 400*ms), "50ms..400ms", 225 * ms},
		{"0..1s", latency.Uniform(0, time.Second), "0s..1s", 500 * ms},
		{"0s..0s", latency.Dist{}, "0", 0},
		{"2s..2s", latency.Uniform(2*time.Second, 2*time.Second), "2s..2s", 2 * time.Second},
	}
	for _, tt := range tests {
		got, err := latency.Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %v, want %v", tt.in, got, tt.want)
		}
		if got.String() != tt.str {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got.String(), tt.str)
		}
		if got.Median() != tt.median {
			t.Errorf("Parse(%q).Median() = %v, want %v", tt.in, got.Median(), tt.median)
		}
		if got.IsZero() != (tt.median == 0) {
			t.Errorf("Parse(%q).IsZero() = %v", tt.in, got.IsZero())
		}
		back, err := latency.Parse(got.String())
		if err != nil || back != got {
			t.Errorf("Parse(%q) = %v, %v; want %v back", got.String(), back, err, got)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"x", `"x" is not a latency like 150ms or 150ms/400ms (median/p99)`},
		{"150", `"150" is not a latency like 150ms`},
		{"-5ms", `"-5ms" is not a latency`},
		{"150ms/", `"150ms/" is not a latency`},
		{"/400ms", `"/400ms" is not a latency`},
		{"150ms/400ms/1s", `"150ms/400ms/1s" is not a latency`},
		{"-1ms/400ms", `is not a latency`},
		{"0/400ms", `"0/400ms": the median must be above 0`},
		{"400ms/150ms", `"400ms/150ms": the 99th percentile 150ms is below the median 400ms`},
		{"400ms..150ms", `"400ms..150ms": the upper bound 150ms is below the lower bound 400ms`},
		{"50ms..", `"50ms.." is not a latency`},
		{"1ms..2ms..3ms", `is not a latency`},
	}
	for _, tt := range tests {
		d, err := latency.Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) = %v, want an error", tt.in, d)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%q) error = %q, want one line containing %q", tt.in, err, tt.want)
		}
	}
}

func TestConstructorsPanicOnBadParameters(t *testing.T) {
	bad := map[string]func(){
		"Constant(-1)":          func() { latency.Constant(-1) },
		"LogNormal(0, 1s)":      func() { latency.LogNormal(0, time.Second) },
		"LogNormal(2s, 1s)":     func() { latency.LogNormal(2*time.Second, time.Second) },
		"Uniform(-1, 1s)":       func() { latency.Uniform(-1, time.Second) },
		"Uniform(2s, 1s)":       func() { latency.Uniform(2*time.Second, time.Second) },
		"LogNormal(-1s, -1s)":   func() { latency.LogNormal(-time.Second, -time.Second) },
		"Uniform(-2s, -1s)":     func() { latency.Uniform(-2*time.Second, -time.Second) },
		"Constant(-time.Hour)":  func() { latency.Constant(-time.Hour) },
		"LogNormal(1ns, 0)":     func() { latency.LogNormal(1, 0) },
		"Uniform(1ns, 0)":       func() { latency.Uniform(1, 0) },
		"Uniform(1h, 1h-1ns)":   func() { latency.Uniform(time.Hour, time.Hour-1) },
		"LogNormal(1h, 1h-1ns)": func() { latency.LogNormal(time.Hour, time.Hour-1) },
	}
	for name, f := range bad {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			f()
		}()
	}
}

// samples draws n sorted samples of d from a fixed seed.
func samples(d latency.Dist, seed uint64, n int) []time.Duration {
	r := rand.New(rand.NewPCG(seed, seed))
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d.Sample(r)
	}
	slices.Sort(out)
	return out
}

// near reports whether got is within frac of want.
func near(got, want time.Duration, frac float64) bool {
	return math.Abs(float64(got-want)) <= frac*float64(want)
}

func TestLogNormalSamplesHaveTheMedianAndP99Asked(t *testing.T) {
	for _, tt := range []struct {
		median, p99 time.Duration
		meanTol     float64 // the sampled mean converges slowly on a long tail
	}{
		{150 * ms, 400 * ms, 0.01},
		{50 * ms, 60 * ms, 0.01},
		{10 * ms, 2 * time.Second, 0.10},
	} {
		d := latency.LogNormal(tt.median, tt.p99)
		for seed := range uint64(3) {
			s := samples(d, seed, 200_000)
			med, p99 := s[len(s)/2], s[len(s)*99/100]
			if !near(med, tt.median, 0.02) || !near(p99, tt.p99, 0.03) {
				t.Errorf("%v seed %d: sampled median %v, p99 %v; want %v, %v within 2%%, 3%%", d, seed, med, p99, tt.median, tt.p99)
			}
			var sum float64
			for _, v := range s {
				sum += float64(v)
			}
			if mean := time.Duration(sum / float64(len(s))); !near(mean, d.Mean(), tt.meanTol) {
				t.Errorf("%v seed %d: sampled mean %v, Mean() %v", d, seed, mean, d.Mean())
			}
			if s[0] <= 0 {
				t.Errorf("%v seed %d: sample %v is not positive", d, seed, s[0])
			}
		}
	}
}

func TestQuantile(t *testing.T) {
	d := latency.LogNormal(150*ms, 400*ms)
	if q := d.Quantile(0.99); !near(q, 400*ms, 1e-6) {
		t.Errorf("Quantile(0.99) = %v, want 400ms", q)
	}
	if q := d.Quantile(0.5); q != 150*ms {
		t.Errorf("Quantile(0.5) = %v, want 150ms", q)
	}
	if q := d.Quantile(0.01); !near(q, 150*ms*150/400, 1e-6) {
		t.Errorf("Quantile(0.01) = %v, want %v (symmetric in log)", q, 150*ms*150/400)
	}
	if lo, hi := d.Quantile(0), d.Quantile(1); lo != 0 || hi != math.MaxInt64 {
		t.Errorf("Quantile(0), Quantile(1) = %v, %v; want 0 and the largest Duration", lo, hi)
	}
	if m := d.Mean(); m <= d.Median() || m >= d.Quantile(0.99) {
		t.Errorf("Mean() = %v, want between the median and the p99", m)
	}
	flat := latency.LogNormal(150*ms, 150*ms)
	for _, p := range []float64{0, 0.5, 1} {
		if q := flat.Quantile(p); q != 150*ms {
			t.Errorf("LogNormal(150ms, 150ms).Quantile(%v) = %v, want 150ms", p, q)
		}
	}
	u := latency.Uniform(100*ms, 300*ms)
	if q, lo, hi := u.Quantile(0.25), u.Quantile(-1), u.Quantile(2); q != 150*ms || lo != 100*ms || hi != 300*ms {
		t.Errorf("uniform quantiles 0.25, -1, 2 = %v, %v, %v; want 150ms, 100ms, 300ms", q, lo, hi)
	}
	c := latency.Constant(150 * ms)
	if c.Quantile(0.99) != 150*ms || c.Mean() != 150*ms || (latency.Dist{}).Mean() != 0 {
		t.Errorf("constant quantile, mean = %v, %v", c.Quantile(0.99), c.Mean())
	}
}

func TestUniformSamplesStayInBounds(t *testing.T) {
	d := latency.Uniform(50*ms, 400*ms)
	s := samples(d, 7, 100_000)
	if s[0] < 50*ms || s[len(s)-1] > 400*ms {
		t.Errorf("samples span %v..%v, want within 50ms..400ms", s[0], s[len(s)-1])
	}
	if med := s[len(s)/2]; !near(med, 225*ms, 0.02) {
		t.Errorf("sampled median %v, want 225ms", med)
	}
	if q := s[len(s)/10]; !near(q, 85*ms, 0.03) {
		t.Errorf("sampled 10th percentile %v, want 85ms", q)
	}
}

func TestSamplesRepeatWithTheSeed(t *testing.T) {
	d := latency.LogNormal(150*ms, 400*ms)
	a, b, c := samples(d, 42, 100), samples(d, 42, 100), samples(d, 43, 100)
	if !slices.Equal(a, b) {
		t.Error("the same seed gave different samples")
	}
	if slices.Equal(a, c) {
		t.Error("different seeds gave the same samples")
	}
}

func TestZeroAndConstantNeedNoSource(t *testing.T) {
	// A nil source would panic if touched.
	if got := (latency.Dist{}).Sample(nil); got != 0 {
		t.Errorf("zero Dist sampled %v", got)
	}
	if got := latency.Constant(150 * ms).Sample(nil); got != 150*ms {
		t.Errorf("Constant(150ms) sampled %v", got)
	}
	if !latency.Constant(0).IsZero() || latency.Constant(0) != (latency.Dist{}) {
		t.Error("Constant(0) is not the zero Dist")
	}
}

func TestHugeDistsDoNotOverflow(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	huge := latency.LogNormal(time.Hour, math.MaxInt64)
	u := latency.Uniform(0, math.MaxInt64)
	for range 10_000 {
		if v := huge.Sample(r); v <= 0 {
			t.Fatalf("LogNormal(1h, max) sampled %v", v)
		}
		if v := u.Sample(r); v < 0 {
			t.Fatalf("Uniform(0, max) sampled %v", v)
		}
	}
	if m := huge.Mean(); m != math.MaxInt64 {
		t.Errorf("Mean() = %v, want capped at the largest Duration", m)
	}
	if q := u.Quantile(1); q != math.MaxInt64 {
		t.Errorf("Uniform(0, max).Quantile(1) = %v", q)
	}
}
