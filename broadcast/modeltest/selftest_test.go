package modeltest

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"smsbot/store/storetest"
)

// TestInvariantsCanFail breaks the system on purpose, one way per
// invariant, and checks that the model notices: a check that cannot fail
// proves nothing. Each case plays seeds until one breaks the invariant.
func TestInvariantsCanFail(t *testing.T) {
	if raceBuilt {
		// A test of the checks, not of the engine: up to 40 sequences per
		// sabotage, minutes under the race detector; the plain runs
		// keep it.
		t.Skip("checks the model's invariants; runs without -race")
	}
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

// TestLeaseInvariantCanFail gives every other engine a clock 6 s behind
// the others' (its leases expire for them 6 s before it stops trusting
// them) and checks that invariant 7 notices, with two engines on
// PostgreSQL.
func TestLeaseInvariantCanFail(t *testing.T) {
	if os.Getenv(storetest.PostgresEnv) == "" {
		storetest.Postgres(t) // skips, or fails under CI
	}
	without := map[string]bool{}
	for _, n := range KnownBroken {
		without[n] = true
	}
	for seed := uint64(1); seed <= 40; seed++ {
		var r Result
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			r = Run(ctx, seed, Options{Dir: t.TempDir(), Postgres: storetest.Postgres(t), Engines: 2, Without: without, sabotage: "skew"})
		})
		for _, v := range r.Violations {
			if v.Invariant == InvLease {
				t.Logf("seed %d: %s", seed, v)
				return
			}
		}
	}
	t.Errorf("sabotage %q: no sequence of 40 broke %q", "skew", InvLease)
}
