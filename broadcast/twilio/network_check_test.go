package twilio_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/broadcast/twilio/twiliotest"
)

// What the network benchmarks check and report: the fake's record of
// the calls (its peak concurrency, 20429 refusals, each sender's fullest
// second) against the account's cap and the senders' rates.

// fakeStats is what the fake saw of a benchmark's calls.
type fakeStats struct {
	Peak      int            // most requests served at once
	Refused   int            // requests refused with 20429
	Requests  int            // create requests, refused ones included
	Texts     int            // outbound messages stored
	PerSecond map[string]int // sender → most of its texts in any 1 s
	// First and Last are the first and last text's Arrived.
	First, Last time.Time
}

// statsOf reads fakeStats from a fake.
func statsOf(fake *twiliotest.Server) fakeStats {
	out := fake.Outbound()
	s := fakeStats{Peak: fake.Peak(), Refused: fake.Refused(), Requests: fake.Requests(),
		Texts: len(out), PerSecond: fake.MaxPerWindow(time.Second)}
	for _, m := range out {
		if s.First.IsZero() || m.Arrived.Before(s.First) {
			s.First = m.Arrived
		}
		if m.Arrived.After(s.Last) {
			s.Last = m.Arrived
		}
	}
	return s
}

// figure is one metric of a benchmark.
type figure struct {
	v    float64
	unit string
}

// report reports the metrics every network benchmark shows: texts/s over
// the broadcast and as a percent of limit (texts/s the senders' rates and
// the account's concurrency allow; none if limit is 0), texts/s from the
// first text's arrival at the fake to the last one's, 20429 refusals, the
// fake's peak concurrency, and the fullest 1 s window of arrivals of any
// sender as a percent of its rate and of what the pacer allows:
// rate·(1 s + DefaultTolerance) + 1. Then it fails the benchmark, with
// those figures, when the fake did not get every text, saw more than
// netCap requests at once, or a sender went over that allowance. extra
// are the benchmark's own figures, reported with these.
func (env *netEnv) report(b *testing.B, s fakeStats, r netRun, limit float64, extra ...figure) {
	b.Helper()
	n := r.preview.Recipients()
	var bad []string
	if s.Texts != n {
		bad = append(bad, fmt.Sprintf("the fake stored %d texts, want %d", s.Texts, n))
	}
	if s.Peak > netCap {
		bad = append(bad, fmt.Sprintf("the fake served %d requests at once; the account allows %d", s.Peak, netCap))
	}
	ofRate, ofAllowed := 0.0, 0.0
	for addr, rate := range env.rates {
		got := float64(s.PerSecond[addr])
		allowed := rate*(time.Second+broadcast.DefaultTolerance).Seconds() + 1
		if got > allowed {
			bad = append(bad, fmt.Sprintf("sender %s (%v/s) sent %v texts in one 1 s window%s; at most %.2f allowed",
				addr, rate, got, env.where(addr, s.First), allowed))
		}
		ofRate, ofAllowed = max(ofRate, 100*got/rate), max(ofAllowed, 100*got/allowed)
	}
	perSec := float64(n) / r.took.Seconds()
	figures := []figure{
		{r.took.Seconds(), "s/broadcast"},
		{perSec, "texts/s"},
		{float64(n-1) / max(s.Last.Sub(s.First).Seconds(), 1e-9), "steady-texts/s"},
		{float64(s.Refused), "refused-20429"},
		{100 * float64(s.Refused) / float64(max(s.Requests, 1)), "%refused"},
		{float64(s.Peak), "fake-peak"},
		{ofRate, "max-1s-%rate"},
		{ofAllowed, "max-1s-%allowed"},
	}
	if limit > 0 {
		figures = append(figures, figure{100 * perSec / limit, "%limit"})
	}
	failIf(b, bad, append(figures, extra...)...)
}

// failIf reports figures, and fails the benchmark with them (a failed
// benchmark prints no metrics) if bad says why.
func failIf(b *testing.B, bad []string, figures ...figure) {
	b.Helper()
	text := make([]string, len(figures))
	for i, f := range figures {
		b.ReportMetric(f.v, f.unit)
		text[i] = fmt.Sprintf("%.4g %s", f.v, f.unit)
	}
	if len(bad) > 0 {
		b.Fatalf("%s\n(figures: %s)", strings.Join(bad, "\n"), strings.Join(text, ", "))
	}
}

// where says when, after first, the fullest 1 s window of sender addr's
// arrivals at the fake began, if the fake is in this process.
func (env *netEnv) where(addr string, first time.Time) string {
	if env.fake == nil {
		return ""
	}
	var at []time.Time
	for _, m := range env.fake.Outbound() {
		if m.From == addr {
			at = append(at, m.Arrived)
		}
	}
	slices.SortFunc(at, time.Time.Compare)
	best, from, lo := 0, 0, 0
	for hi, t := range at {
		for t.Sub(at[lo]) >= time.Second {
			lo++
		}
		if hi-lo+1 > best {
			best, from = hi-lo+1, lo
		}
	}
	return fmt.Sprintf(" (from %.3f s after the first text)", at[from].Sub(first).Seconds())
}
