package broadcast_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/broadcast/sim"
	"smsbot/store"
)

// engineSleepers is how many of an idle engine's goroutines wait on its
// clock whatever it does: the loop that keeps it in step with other
// replicas, and its lease keeper's renewals.
const engineSleepers = 2

// testBundle is one engine over a real SQLite file and the sim carrier.
type testBundle struct {
	store  *store.Store
	engine *broadcast.Engine
	sim    *sim.Provider
	clock  clockwork.Clock
}

type testOpts struct {
	clock  clockwork.Clock
	fault  func(m broadcast.Outgoing, attempt int) (error, bool)
	engine func(*broadcast.Config)
	dbPath string
	notify func(sim.Message)
	sim    *sim.Provider // reuse a carrier across restarts
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tlogWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tlogWriter struct{ t testing.TB }

func (w tlogWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

func setup(t testing.TB, o testOpts) *testBundle {
	t.Helper()
	if o.clock == nil {
		o.clock = clockwork.NewRealClock()
	}
	if o.dbPath == "" {
		o.dbPath = testDB(t)
	}
	st, err := store.Open(context.Background(), store.Config{Path: o.dbPath, Now: o.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	sp := o.sim
	if sp == nil {
		sp = sim.New(sim.Config{Clock: o.clock, Fault: o.fault, Out: io.Discard, Notify: o.notify})
	}
	cfg := broadcast.Config{Store: st, Provider: sp, Clock: o.clock, Logger: testLogger(t),
		BackoffBase: time.Millisecond, BackoffMax: 10 * time.Millisecond, ReconcileDelay: time.Millisecond,
		// Tests on a fake clock jump it by minutes, which to a lease is a
		// process frozen that long; and one engine alone on its database
		// has no other replica to keep in step with. The replica tests
		// set their own.
		LeaseTTL: 24 * time.Hour, LeaseEvery: 24 * time.Hour}
	if o.engine != nil {
		o.engine(&cfg)
	}
	eng, err := broadcast.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	b := &testBundle{store: st, engine: eng, sim: sp, clock: o.clock}
	t.Cleanup(func() {
		if err := eng.Close(); err != nil {
			t.Error(err)
		}
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	return b
}

func (b *testBundle) addSenders(t testing.TB, rate float64, addrs ...string) {
	t.Helper()
	for _, a := range addrs {
		if _, _, err := b.engine.AddSender(context.Background(), a, rate, "test"); err != nil {
			t.Fatal(err)
		}
	}
}

func (b *testBundle) addContacts(t testing.TB, list string, n int, first int) []string {
	t.Helper()
	var phones []string
	for i := range n {
		p := fmt.Sprintf("+1206555%04d", first+i)
		if _, err := b.store.AddMember(context.Background(), list, p, "", "test"); err != nil {
			t.Fatal(err)
		}
		phones = append(phones, p)
	}
	return phones
}

// send prepares and approves a broadcast and returns its progress feed.
func (b *testBundle) send(t testing.TB, list, body string) (broadcast.Preview, <-chan broadcast.Progress) {
	t.Helper()
	ctx := context.Background()
	p, err := b.engine.Prepare(ctx, broadcast.Draft{List: list, Body: body, RequestedBy: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	ch, stop, err := b.engine.Subscribe(ctx, p.Broadcast.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	if _, err := b.engine.Approve(ctx, p.Broadcast.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	return p, ch
}

func waitDone(t testing.TB, ch <-chan broadcast.Progress) broadcast.Progress {
	t.Helper()
	return waitProgress(t, ch, "the broadcast to finish", func(p broadcast.Progress) bool { return p.Done })
}

// waitProgress returns the first progress snapshot that satisfies cond,
// and fails the test if none does within 30 s or the feed closes first.
func waitProgress(t testing.TB, ch <-chan broadcast.Progress, what string, cond func(broadcast.Progress) bool) broadcast.Progress {
	t.Helper()
	timeout := time.After(30 * time.Second)
	var last broadcast.Progress
	for {
		select {
		case p, ok := <-ch:
			if !ok {
				t.Fatalf("progress feed closed waiting for %s; last %s %+v", what, last.Broadcast.Status, last.Counts)
			}
			if cond(p) {
				return p
			}
			last = p
		case <-timeout:
			t.Fatalf("timed out waiting for %s; last %s %+v", what, last.Broadcast.Status, last.Counts)
		}
	}
}

func TestEngineSendsOncePerRecipientFromStickySender(t *testing.T) {
	b := setup(t, testOpts{})
	b.addSenders(t, 1000, "+12065550001", "+12065550002", "+12065550003")
	phones := b.addContacts(t, "hackers", 50, 0)
	_, ch := b.send(t, "hackers", "Dinner is served in Hall B")
	p := waitDone(t, ch)
	if p.Counts.Sent != 50 || p.Counts.Remaining() != 0 || p.Broadcast.Status != broadcast.StatusCompleted {
		t.Fatalf("final progress = %+v", p)
	}
	got := map[string]string{}
	for _, m := range b.sim.Sent() {
		if prev, dup := got[m.To]; dup {
			t.Fatalf("%s texted twice (from %s and %s)", m.To, prev, m.From)
		}
		got[m.To] = m.From
	}
	if len(got) != len(phones) {
		t.Fatalf("texted %d recipients, want %d", len(got), len(phones))
	}
	perSender := map[string]int{}
	for _, from := range got {
		perSender[from]++
	}
	for s, n := range perSender {
		if n < 16 || n > 17 {
			t.Errorf("sender %s got %d recipients, want 16 or 17", s, n)
		}
	}

	// A second broadcast to the same list uses the same senders.
	_, ch = b.send(t, "hackers", "Judging starts at 9")
	if p := waitDone(t, ch); p.Counts.Sent != 50 || p.Counts.Remaining() != 0 || p.Broadcast.Status != broadcast.StatusCompleted {
		t.Fatalf("second broadcast's final progress = %s %+v", p.Broadcast.Status, p.Counts)
	}
	second := b.sim.Sent()[50:]
	if len(second) != len(phones) {
		t.Fatalf("second broadcast: %d texts at the carrier, want %d", len(second), len(phones))
	}
	seen := map[string]bool{}
	for _, m := range second {
		if seen[m.To] {
			t.Errorf("%s got broadcast 2 twice", m.To)
		}
		seen[m.To] = true
		if m.Body != "Judging starts at 9" {
			t.Errorf("%s got %q in broadcast 2", m.To, m.Body)
		}
		if got[m.To] != m.From {
			t.Errorf("%s got broadcast 2 from %s, broadcast 1 from %s", m.To, m.From, got[m.To])
		}
	}
}
