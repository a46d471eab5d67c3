package stats_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/broadcast/sim"
	"smsbot/stats"
	"smsbot/store"
)

// stepUntil moves the fake clock forward in steps of 10 ms, yielding to
// the engine between them, until cond holds; it fails the test after 30 s
// of real time.
func stepUntil(t *testing.T, fake *clockwork.FakeClock, what string, cond func() bool) {
	t.Helper()
	wall := time.After(30 * time.Second)
	for !cond() {
		fake.Advance(10 * time.Millisecond)
		select {
		case <-time.After(200 * time.Microsecond): // a yield, not a wait for timing
		case <-wall:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestShortPauseIsLeftOut: a broadcast at 5 segments/s paused for 3 s
// mid-send (shorter than MinIdleGap) achieved 5/s, not less, and its
// chart draws the pause as a gap.
func TestShortPauseIsLeftOut(t *testing.T) {
	ctx := context.Background()
	fake := clockwork.NewFakeClockAt(t0)
	st, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "smsbot.db"), Now: fake.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	eng, err := broadcast.New(broadcast.Config{Store: st, Provider: sim.New(sim.Config{Clock: fake, Out: io.Discard}),
		Clock: fake, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	if _, _, err := eng.AddSender(ctx, "+12065550101", 5, "test"); err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		if _, err := st.AddMember(ctx, "crew", fmt.Sprintf("+1206555%04d", i), "", "test"); err != nil {
			t.Fatal(err)
		}
	}
	p, err := eng.Prepare(ctx, broadcast.Draft{List: "crew", Body: "Doors open", RequestedBy: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	id := p.Broadcast.ID
	if _, err := eng.Approve(ctx, id, "bob"); err != nil {
		t.Fatal(err)
	}
	status := func() broadcast.Progress {
		t.Helper()
		s, err := eng.Status(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	stepUntil(t, fake, "10 texts", func() bool { return status().Counts.Done() >= 10 })
	if _, err := eng.Pause(ctx, id, "alice"); err != nil {
		t.Fatal(err)
	}
	pausedAt := fake.Now()
	stepUntil(t, fake, "3 s of pause", func() bool { return fake.Since(pausedAt) >= 3*time.Second })
	if _, err := eng.Resume(ctx, id, "alice"); err != nil {
		t.Fatal(err)
	}
	stepUntil(t, fake, "the end", func() bool { return status().Broadcast.Status == broadcast.StatusCompleted })

	r, err := stats.Compute(ctx, st, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Senders) != 1 {
		t.Fatalf("senders: %+v", r.Senders)
	}
	// 28 segments after the first text of each stretch, over 1.8 s and
	// 3.8 s; the fake clock steps past some sends, so a little less.
	// Counting the pause would give about 29/8.8 s = 3.3/s.
	if s := r.Senders[0]; s.Achieved < 4.4 || s.Achieved > 5.1 || s.Active > 6500*time.Millisecond {
		t.Fatalf("achieved %.2f segments/s over %v, want about 5 over about 5.6 s (the 3 s pause left out)", s.Achieved, s.Active)
	}
	series, _, err := stats.ChartData(ctx, st, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(series) != 1 || len(series[0].Sent) != 2 {
		t.Fatalf("chart: %d series, sent line in %d pieces; want 1 in 2 (a gap for the pause)", len(series), len(series[0].Sent))
	}
}
