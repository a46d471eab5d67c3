package modeltest

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestInvariantsCanFail breaks the system on purpose, one way per
// invariant, and checks that the model notices: a check that cannot fail
// proves nothing. Each case plays seeds until one breaks the invariant.
func TestInvariantsCanFail(t *testing.T) {
	cases := []struct {
		sabotage string
		want     Invariant
	}{
		{"hang", InvRun},              // an operation never returns
		{"double", InvOnce},           // every text is sent twice
		{"unpaced", InvRate},          // the engine ignores the senders' rates
		{"strand", InvEnd},            // queued texts are never handed out
		{"stall", InvOnce},            // outcomes are lost: rows stay in flight
		{"miscount", InvCounts},       // the store's counts are off by one
		{"ignore-stop", InvOptOut},    // STOP never reaches the store
		{"ignore-remove", InvRemoved}, // numbers remove never reaches the engine
	}
	for _, c := range cases {
		t.Run(c.sabotage, func(t *testing.T) {
			// Everything known to break stays off, so that only the
			// sabotage can break the invariant; but not the operation
			// the sabotage needs.
			without := map[string]bool{}
			for _, n := range KnownBroken {
				without[n] = c.sabotage != "ignore-remove" || n != "numbers remove"
			}
			for seed := uint64(1); seed <= 40; seed++ {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				r := Run(ctx, seed, Options{Dir: t.TempDir(), Without: without, sabotage: c.sabotage, hangTimeout: 50 * time.Millisecond})
				cancel()
				if slices.Contains(r.Invariants(), c.want) {
					t.Logf("seed %d: %s", seed, r.Violations[0])
					return
				}
			}
			t.Errorf("sabotage %q: no sequence of 40 broke %q", c.sabotage, c.want)
		})
	}
}
