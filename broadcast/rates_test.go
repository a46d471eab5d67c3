package broadcast_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/broadcast/sim"
)

// rateList is broadcast id's recorded rates, in order.
func (b *testBundle) rateList(t *testing.T, id int64) string {
	t.Helper()
	rs, err := b.store.Rates(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []float64
	for _, r := range rs {
		out = append(out, r.Rate)
	}
	return fmt.Sprint(out)
}

// TestEngineRecordsTheRatesARunSendsAt: the rate at the start of a run is
// recorded; one changed while paused is recorded when it resumes, not
// before; one changed mid-run is recorded at once; one changed after the
// end is not.
func TestEngineRecordsTheRatesARunSendsAt(t *testing.T) {
	ctx := context.Background()
	fake := clockwork.NewFakeClockAt(t0)
	b := setup(t, testOpts{clock: fake, sim: sim.New(sim.Config{Clock: fake})})
	const addr = "+12065550101"
	b.addSenders(t, 1, addr)
	b.addContacts(t, "crew", 12, 0)
	p, ch := b.send(t, "crew", "Doors open")
	id := p.Broadcast.ID
	f := &feed{ch: ch}
	advanceUntil(t, fake, f, 50*time.Millisecond, func(p broadcast.Progress) bool { return p.Counts.Sent >= 2 })
	if got := b.rateList(t, id); got != "[1]" {
		t.Fatalf("rates at the start = %s, want [1]", got)
	}
	if _, err := b.engine.Pause(ctx, id, "alice"); err != nil {
		t.Fatal(err)
	}
	b.addSenders(t, 2, addr)
	if got := b.rateList(t, id); got != "[1]" {
		t.Fatalf("rates after a change while paused = %s, want [1] until it resumes", got)
	}
	if _, err := b.engine.Resume(ctx, id, "alice"); err != nil {
		t.Fatal(err)
	}
	if got := b.rateList(t, id); got != "[1 2]" {
		t.Fatalf("rates after resuming = %s, want [1 2]", got)
	}
	advanceUntil(t, fake, f, 50*time.Millisecond, func(p broadcast.Progress) bool { return p.Counts.Sent >= 6 })
	b.addSenders(t, 4, addr)
	if got := b.rateList(t, id); got != "[1 2 4]" {
		t.Fatalf("rates after a change mid-run = %s, want [1 2 4]", got)
	}
	advanceUntil(t, fake, f, 50*time.Millisecond, done)
	b.addSenders(t, 1, addr)
	if got := b.rateList(t, id); got != "[1 2 4]" {
		t.Fatalf("rates after a change once it ended = %s, want [1 2 4]", got)
	}
}
