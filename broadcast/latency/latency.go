// Package latency describes how long calls to a remote service take, as a
// distribution to sample from. The fakes of the module (the simulated
// carrier, the Twilio fake) use it to answer like a service across the
// internet: most calls near a median, a few much slower.
//
// A Dist is written as text in settings such as SMSBOT_SIM_LATENCY:
//
//	0 or empty    no latency
//	150ms         always 150 ms
//	150ms/400ms   log-normal: median 150 ms, 99th percentile 400 ms
//	50ms..400ms   uniform between 50 ms and 400 ms
package latency

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// z99 is the standard normal quantile of 0.99: a log-normal's p99 is
// its median × exp(z99 × σ).
const z99 = 2.3263478740408408

// kind is the family of a Dist.
type kind uint8

const (
	none kind = iota
	constant
	logNormal
	uniform
)

// Dist is a distribution of call latencies. The zero value is no latency.
// Dists are values: comparable with ==, safe to copy and to share between
// goroutines. Two Dists are equal when they were made with the same
// parameters, which is when their String is the same.
type Dist struct {
	kind kind
	// a and b are the parameters: constant a; log-normal median a and
	// p99 b; uniform a..b.
	a, b time.Duration
}

// Constant returns a Dist that is always d. Constant(0) is the zero Dist.
// It panics if d is negative.
func Constant(d time.Duration) Dist {
	if d < 0 {
		panic(fmt.Sprintf("latency: Constant(%v) is negative", d))
	}
	if d == 0 {
		return Dist{}
	}
	return Dist{kind: constant, a: d}
}

// LogNormal returns the log-normal Dist with the given median and 99th
// percentile: the long tail of calls over the internet. It panics unless
// 0 < median <= p99.
func LogNormal(median, p99 time.Duration) Dist {
	if median <= 0 || p99 < median {
		panic(fmt.Sprintf("latency: LogNormal(%v, %v) needs 0 < median <= p99", median, p99))
	}
	return Dist{kind: logNormal, a: median, b: p99}
}

// Uniform returns the Dist spread evenly over [lo, hi]. It panics unless
// 0 <= lo <= hi. Uniform(0, 0) is the zero Dist.
func Uniform(lo, hi time.Duration) Dist {
	if lo < 0 || hi < lo {
		panic(fmt.Sprintf("latency: Uniform(%v, %v) needs 0 <= lo <= hi", lo, hi))
	}
	if hi == 0 {
		return Dist{}
	}
	return Dist{kind: uniform, a: lo, b: hi}
}

// Parse reads a Dist written as "0" or "" (none), "150ms" (constant),
// "150ms/400ms" (log-normal, median/p99) or "50ms..400ms" (uniform), with
// durations as time.ParseDuration reads them. Spaces around the parts are
// allowed. The error is one line that quotes s; the caller adds the
// setting's name.
func Parse(s string) (Dist, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return Dist{}, nil
	}
	if med, p99, ok := strings.Cut(s, "/"); ok {
		m, err1 := duration(med)
		p, err2 := duration(p99)
		switch {
		case err1 != nil || err2 != nil:
			return Dist{}, syntaxError(s)
		case m == 0:
			return Dist{}, fmt.Errorf("%q: the median must be above 0", s)
		case p < m:
			return Dist{}, fmt.Errorf("%q: the 99th percentile %v is below the median %v", s, p, m)
		}
		return LogNormal(m, p), nil
	}
	if lo, hi, ok := strings.Cut(s, ".."); ok {
		l, err1 := duration(lo)
		h, err2 := duration(hi)
		switch {
		case err1 != nil || err2 != nil:
			return Dist{}, syntaxError(s)
		case h < l:
			return Dist{}, fmt.Errorf("%q: the upper bound %v is below the lower bound %v", s, h, l)
		}
		return Uniform(l, h), nil
	}
	d, err := duration(s)
	if err != nil {
		return Dist{}, syntaxError(s)
	}
	return Constant(d), nil
}

// duration parses one non-negative duration; "0" alone is allowed, as
// time.ParseDuration allows it.
func duration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	if d < 0 {
		return 0, errors.New("negative")
	}
	return d, nil
}

// syntaxError is Parse's error for text that is not a Dist at all.
func syntaxError(s string) error {
	return fmt.Errorf("%q is not a latency like 150ms or 150ms/400ms (median/p99)", s)
}

// String writes d so that Parse reads it back as d: "0", "150ms",
// "150ms/400ms" or "50ms..400ms".
func (d Dist) String() string {
	switch d.kind {
	case constant:
		return d.a.String()
	case logNormal:
		return d.a.String() + "/" + d.b.String()
	case uniform:
		return d.a.String() + ".." + d.b.String()
	}
	return "0"
}

// IsZero reports whether d is no latency at all.
func (d Dist) IsZero() bool { return d.kind == none }

// sigma is the log-normal's σ (of the latency's natural log). It is 0
// when the p99 is the median, or too close to it for a float64 to tell.
func (d Dist) sigma() float64 {
	return math.Log(float64(d.b)/float64(d.a)) / z99
}

// Sample draws one latency from r, which the caller seeds so that runs
// repeat. The zero and constant Dists do not touch r. A log-normal sample
// is capped at the largest time.Duration.
func (d Dist) Sample(r *rand.Rand) time.Duration {
	switch d.kind {
	case constant:
		return d.a
	case logNormal:
		s := d.sigma()
		if s == 0 {
			return d.a
		}
		return clamp(float64(d.a) * math.Exp(s*r.NormFloat64()))
	case uniform:
		return d.a + time.Duration(r.Uint64N(uint64(d.b-d.a)+1))
	}
	return 0
}

// Quantile returns the latency below which a fraction p (0 < p < 1) of
// samples fall: Quantile(0.5) is the median, Quantile(0.99) the p99. p is
// clamped to [0, 1]; for a log-normal, 0 and 1 give 0 and the largest
// time.Duration.
func (d Dist) Quantile(p float64) time.Duration {
	p = min(max(p, 0), 1)
	switch d.kind {
	case constant:
		return d.a
	case logNormal:
		s := d.sigma()
		switch {
		case s == 0:
			return d.a
		case p == 0:
			return 0
		case p == 1:
			return math.MaxInt64
		}
		z := math.Sqrt2 * math.Erfinv(2*p-1)
		return clamp(float64(d.a) * math.Exp(s*z))
	case uniform:
		return d.a + min(clamp(p*float64(d.b-d.a)), d.b-d.a)
	}
	return 0
}

// Median returns the latency half the samples are below.
func (d Dist) Median() time.Duration { return d.Quantile(0.5) }

// Mean returns the average latency, which with a rate gives the calls in
// flight by Little's law. A log-normal's mean is above its median:
// median × exp(σ²/2).
func (d Dist) Mean() time.Duration {
	switch d.kind {
	case constant:
		return d.a
	case logNormal:
		s := d.sigma()
		if s == 0 {
			return d.a
		}
		return clamp(float64(d.a) * math.Exp(s*s/2))
	case uniform:
		return d.a + (d.b-d.a)/2
	}
	return 0
}

// clamp converts nanoseconds to a Duration, capped at the largest one
// (a float64 above it would convert to an undefined value).
func clamp(ns float64) time.Duration {
	if ns >= math.MaxInt64 || math.IsNaN(ns) {
		return math.MaxInt64
	}
	return time.Duration(ns)
}
