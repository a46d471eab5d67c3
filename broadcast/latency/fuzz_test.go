package latency_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"smsbot/broadcast/latency"
)

// FuzzParse checks that whatever Parse accepts prints back to itself and
// samples within its bounds, and that what it refuses gets a one-line
// error quoting the input. Seeds are in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "0", "150ms", "150ms/400ms", "50ms..400ms", "x", "400ms/150ms"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := latency.Parse(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("Parse(%q) error has several lines: %q", s, err)
			}
			return
		}
		back, err := latency.Parse(d.String())
		if err != nil || back != d {
			t.Fatalf("Parse(%q) = %v; Parse(%q) = %v, %v", s, d, d.String(), back, err)
		}
		r := rand.New(rand.NewPCG(1, 2))
		lo, hi := d.Quantile(0), d.Quantile(1)
		for range 20 {
			if v := d.Sample(r); v < lo || v > hi || v < 0 {
				t.Fatalf("Parse(%q).Sample = %v, outside %v..%v", s, v, lo, hi)
			}
		}
		if m := d.Median(); m < lo || m > hi || d.IsZero() != (hi == 0) {
			t.Fatalf("Parse(%q): median %v, bounds %v..%v, IsZero %v", s, m, lo, hi, d.IsZero())
		}
	})
}
