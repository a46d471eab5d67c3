package broadcast_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/broadcast/latency"
	"smsbot/broadcast/sim"
)

// feed collects a broadcast's progress while the test drives the fake
// clock, so that every snapshot can be checked afterwards.
type feed struct {
	ch   <-chan broadcast.Progress
	seen []broadcast.Progress
}

func (f *feed) poll() (broadcast.Progress, bool) {
	select {
	case p := <-f.ch:
		f.seen = append(f.seen, p)
		return p, true
	default:
		return broadcast.Progress{}, false
	}
}

// last is the newest snapshot seen.
func (f *feed) last() broadcast.Progress {
	if len(f.seen) == 0 {
		return broadcast.Progress{}
	}
	return f.seen[len(f.seen)-1]
}

// advanceUntil moves the fake clock forward in steps until cond holds of
// the newest snapshot, failing the test after 30 s of real time. Between
// steps it yields to the engine: how much fake time passes before cond
// holds depends on scheduling, but nothing the tests check does.
func advanceUntil(t *testing.T, fake *clockwork.FakeClock, f *feed, step time.Duration, cond func(broadcast.Progress) bool) broadcast.Progress {
	t.Helper()
	wall := time.After(30 * time.Second)
	for {
		for {
			if _, ok := f.poll(); !ok {
				break
			}
		}
		if p := f.last(); len(f.seen) > 0 && cond(p) {
			return p
		}
		fake.Advance(step)
		select {
		case p := <-f.ch:
			f.seen = append(f.seen, p)
		case <-time.After(200 * time.Microsecond): // a yield, not a wait for timing
		case <-wall:
			p := f.last()
			t.Fatalf("condition not reached; last: %s %+v note %q", p.Broadcast.Status, p.Counts, p.Note)
		}
	}
}

func done(p broadcast.Progress) bool { return p.Done }

// checkOncePerRecipient fails unless every phone got exactly one text.
func checkOncePerRecipient(t *testing.T, sent []sim.Message, phones []string) {
	t.Helper()
	got := map[string]int{}
	for _, m := range sent {
		got[m.To]++
	}
	for _, p := range phones {
		if got[p] != 1 {
			t.Errorf("%s got %d texts", p, got[p])
		}
	}
	if len(sent) != len(phones) {
		t.Errorf("%d texts for %d recipients", len(sent), len(phones))
	}
}

// Removing a number mid-broadcast moves every one of its texts, queued,
// claimed or in flight, with its contact: nobody is stranded, nobody gets
// two, and the removed number sends nothing after the removal returns.
func TestEngineRemoveSenderMidBroadcast(t *testing.T) {
	fake := clockwork.NewFakeClockAt(t0)
	carrier := sim.New(sim.Config{Clock: fake, Latency: latency.Constant(150 * time.Millisecond)})
	b := setup(t, testOpts{clock: fake, sim: carrier})
	b.addSenders(t, 1, "+12065550001", "+12065550002")
	phones := b.addContacts(t, "crew", 60, 0)
	p, ch := b.send(t, "crew", "Dinner is served")
	f := &feed{ch: ch}
	advanceUntil(t, fake, f, 50*time.Millisecond, func(p broadcast.Progress) bool { return p.Counts.Done() >= 10 })

	removed := make(chan error, 1)
	go func() {
		_, err := b.engine.RemoveSender(context.Background(), "+12065550002", "alice")
		removed <- err
	}()
	var removedAt time.Time
	for removedAt.IsZero() {
		select {
		case err := <-removed:
			if err != nil {
				t.Fatal(err)
			}
			removedAt = fake.Now()
		default:
			fake.Advance(10 * time.Millisecond) // the call in flight answers
			runtime.Gosched()
		}
	}
	// Right after the removal, the ETA counts the 1/s number left.
	st, err := b.engine.Status(context.Background(), p.Broadcast.ID)
	if err != nil {
		t.Fatal(err)
	}
	if left := st.Counts.Remaining(); st.ETA < time.Duration(left-2)*time.Second {
		t.Errorf("after removal: %d left at 1/s but ETA %v", left, st.ETA)
	}
	final := advanceUntil(t, fake, f, 100*time.Millisecond, done)
	if final.Broadcast.Status != broadcast.StatusCompleted || final.Counts.Sent != 60 {
		t.Fatalf("final: %s %+v", final.Broadcast.Status, final.Counts)
	}
	checkOncePerRecipient(t, carrier.Sent(), phones)
	for _, m := range carrier.Sent() {
		if m.From == "+12065550002" && m.Created.After(removedAt) {
			t.Errorf("removed number texted %s at %v, after its removal at %v", m.To, m.Created, removedAt)
		}
	}
}

// Removing the last number pauses the broadcasts that are sending, with
// the reason in their progress; a new number takes its contacts and
// Resume finishes the broadcast.
func TestEngineRemoveLastSenderPauses(t *testing.T) {
	ctx := context.Background()
	fake := clockwork.NewFakeClockAt(t0)
	carrier := sim.New(sim.Config{Clock: fake})
	b := setup(t, testOpts{clock: fake, sim: carrier})
	b.addSenders(t, 1, "+12065550001")
	phones := b.addContacts(t, "crew", 8, 0)
	p, ch := b.send(t, "crew", "Doors open")
	f := &feed{ch: ch}
	advanceUntil(t, fake, f, 50*time.Millisecond, func(p broadcast.Progress) bool { return p.Counts.Done() >= 2 })

	if _, err := b.engine.RemoveSender(ctx, "+12065550001", "alice"); err != nil {
		t.Fatal(err)
	}
	paused := advanceUntil(t, fake, f, 50*time.Millisecond, func(p broadcast.Progress) bool {
		return p.Broadcast.Status == broadcast.StatusPaused && p.Counts.Sending == 0
	})
	if paused.Note == "" || paused.ETA != 0 || paused.Counts.Remaining() == 0 {
		t.Fatalf("paused without a reason or with an ETA: note %q, ETA %v, %+v", paused.Note, paused.ETA, paused.Counts)
	}
	b.addSenders(t, 1, "+12065550009")
	if _, err := b.engine.Resume(ctx, p.Broadcast.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	final := advanceUntil(t, fake, f, 100*time.Millisecond, done)
	if final.Broadcast.Status != broadcast.StatusCompleted || final.Counts.Sent != 8 {
		t.Fatalf("final: %s %+v", final.Broadcast.Status, final.Counts)
	}
	checkOncePerRecipient(t, carrier.Sent(), phones)
}

// A broadcast approved with no number at all pauses, saying why, instead
// of hanging with an unwritten outbox; a number and Resume send it.
func TestEngineApproveWithoutSenderPauses(t *testing.T) {
	ctx := context.Background()
	fake := clockwork.NewFakeClockAt(t0)
	carrier := sim.New(sim.Config{Clock: fake})
	b := setup(t, testOpts{clock: fake, sim: carrier})
	b.addSenders(t, 5, "+12065550001")
	phones := b.addContacts(t, "crew", 3, 0)
	pre, err := b.engine.Prepare(ctx, broadcast.Draft{List: "crew", Body: "hi", RequestedBy: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.engine.RemoveSender(ctx, "+12065550001", "alice"); err != nil {
		t.Fatal(err)
	}
	ch, stop, err := b.engine.Subscribe(ctx, pre.Broadcast.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if _, err := b.engine.Approve(ctx, pre.Broadcast.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	f := &feed{ch: ch}
	paused := advanceUntil(t, fake, f, 50*time.Millisecond, func(p broadcast.Progress) bool {
		return p.Broadcast.Status == broadcast.StatusPaused
	})
	if paused.Note == "" {
		t.Fatalf("paused without a reason: %+v", paused)
	}
	b.addSenders(t, 5, "+12065550002")
	if _, err := b.engine.Resume(ctx, pre.Broadcast.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	final := advanceUntil(t, fake, f, 100*time.Millisecond, done)
	if final.Counts.Sent != 3 || final.Broadcast.Status != broadcast.StatusCompleted {
		t.Fatalf("final: %s %+v", final.Broadcast.Status, final.Counts)
	}
	checkOncePerRecipient(t, carrier.Sent(), phones)
}

// Cancel gives one final report, after the texts in flight answered; it
// adds up, and nothing is sent after it.
func TestEngineCancelReportsOnce(t *testing.T) {
	fake := clockwork.NewFakeClockAt(t0)
	carrier := sim.New(sim.Config{Clock: fake, Latency: latency.Constant(time.Second)})
	b := setup(t, testOpts{clock: fake, sim: carrier, engine: func(c *broadcast.Config) { c.InFlight = 4 }})
	b.addSenders(t, 4, "+12065550001")
	b.addContacts(t, "crew", 60, 0)
	p, ch := b.send(t, "crew", "Shuttle leaves at 9")
	f := &feed{ch: ch}
	advanceUntil(t, fake, f, 50*time.Millisecond, func(p broadcast.Progress) bool {
		return p.Counts.Done() >= 10 && p.Counts.Sending > 0
	})
	if _, err := b.engine.Cancel(context.Background(), p.Broadcast.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	final := advanceUntil(t, fake, f, 100*time.Millisecond, done)
	reportedAt := fake.Now()
	c := final.Counts
	if final.Broadcast.Status != broadcast.StatusCancelled || c.Done()+c.Failed+c.Skipped != 60 || c.Total != 60 || c.Remaining() != 0 {
		t.Fatalf("final: %s %+v", final.Broadcast.Status, c)
	}
	if got := len(carrier.Sent()); got != c.Done() {
		t.Fatalf("carrier has %d texts, report says %d sent", got, c.Done())
	}
	for _, s := range f.seen[:len(f.seen)-1] {
		if s.Done {
			t.Fatalf("more than one final report: %+v", f.seen)
		}
	}
	fake.Advance(time.Minute)
	for _, m := range carrier.Sent() {
		if m.Created.After(reportedAt) {
			t.Fatalf("text to %s at %v after the report at %v", m.To, m.Created, reportedAt)
		}
	}
}
