package broadcast_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/broadcast/latency"
	"smsbot/broadcast/sim"
)

var t0 = time.Date(2026, 12, 1, 18, 45, 0, 0, time.UTC)

// clocked is a bundle on a fake clock whose sim carrier reports each text
// on a channel, so tests wait on sends instead of sleeping.
type clocked struct {
	*testBundle
	fake *clockwork.FakeClock
	sent chan sim.Message
}

func setupClocked(t *testing.T, o testOpts) *clocked {
	t.Helper()
	fake := clockwork.NewFakeClockAt(t0)
	o.clock = fake
	c := &clocked{fake: fake, sent: make(chan sim.Message, 1000)}
	o.notify = func(m sim.Message) { c.sent <- m }
	c.testBundle = setup(t, o)
	return c
}

// next waits for the next text.
func (c *clocked) next(t *testing.T) sim.Message {
	t.Helper()
	select {
	case m := <-c.sent:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no text was sent")
	}
	return sim.Message{}
}

// settle waits until n goroutines wait on the fake clock (besides the
// engine's own, engineSleepers) and checks that nothing was sent meanwhile.
func (c *clocked) settle(t *testing.T, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.fake.BlockUntilContext(ctx, n+engineSleepers); err != nil {
		t.Fatalf("waiting for %d sleepers: %v", n, err)
	}
	select {
	case m := <-c.sent:
		t.Fatalf("unexpected text to %s at %v", m.To, m.Created)
	default:
	}
}

func TestEnginePacesEachSenderWithFakeClock(t *testing.T) {
	c := setupClocked(t, testOpts{})
	c.addSenders(t, 1, "+12065550001")
	c.addContacts(t, "crew", 3, 0)
	// 2 segments per text: 1 segment/s means one text every 2 s.
	body := string(make([]byte, 0)) + "Doors open at 7pm. " + longText(150)
	_, ch := c.send(t, "crew", body)

	first := c.next(t)
	if !first.Created.Equal(t0) {
		t.Fatalf("first text at %v, want %v", first.Created, t0)
	}
	for i, want := range []time.Duration{1990 * time.Millisecond, 3990 * time.Millisecond} {
		c.settle(t, 1) // the worker waits on the pacer
		c.fake.Advance(want - c.fake.Since(t0) - time.Millisecond)
		c.settle(t, 1) // 1 ms early: still waiting, nothing sent
		c.fake.Advance(time.Millisecond)
		m := c.next(t)
		if got := m.Created.Sub(t0); got != want {
			t.Fatalf("text %d at +%v, want +%v", i+2, got, want)
		}
	}
	if p := waitDone(t, ch); p.Counts.Sent != 3 {
		t.Fatalf("counts = %+v", p.Counts)
	}
}

func TestEngineSendersRunInParallel(t *testing.T) {
	c := setupClocked(t, testOpts{})
	c.addSenders(t, 1, "+12065550001", "+12065550002", "+12065550003")
	c.addContacts(t, "crew", 3, 0)
	c.send(t, "crew", "hello")
	from := map[string]bool{}
	for range 3 {
		m := c.next(t)
		if !m.Created.Equal(t0) {
			t.Fatalf("text to %s at %v: the three senders should all send at once", m.To, m.Created)
		}
		from[m.From] = true
	}
	if len(from) != 3 {
		t.Fatalf("texts came from %v, want 3 senders", from)
	}
}

func TestEngineHonoursRetryAfter(t *testing.T) {
	c := setupClocked(t, testOpts{fault: func(m broadcast.Outgoing, attempt int) (error, bool) {
		if attempt == 1 {
			return &broadcast.SendError{Class: broadcast.Retryable, Code: "20429", Message: "Too Many Requests", RetryAfter: 30 * time.Second}, false
		}
		return nil, false
	}})
	c.addSenders(t, 10, "+12065550001")
	c.addContacts(t, "crew", 1, 0)
	_, ch := c.send(t, "crew", "hello")
	// The clock moves in steps of 10 ms, faster than the engine may
	// follow: the retry must not go before +30s, and goes soon after.
	var m sim.Message
	stepClockUntil(t, c.fake, 10*time.Millisecond, "the retry", func() bool {
		select {
		case m = <-c.sent:
			return true
		default:
			return false
		}
	})
	if d := m.Created.Sub(t0); d < 30*time.Second || d > 31*time.Second {
		t.Fatalf("retry at +%v, want +30s", d)
	}
	if p := waitDone(t, ch); p.Counts.Sent != 1 {
		t.Fatalf("counts = %+v", p.Counts)
	}
}

func TestEngineGivesUpAfterMaxAttempts(t *testing.T) {
	tries := 0
	b := setup(t, testOpts{
		fault: func(broadcast.Outgoing, int) (error, bool) {
			tries++
			return &broadcast.SendError{Class: broadcast.Retryable, Code: "500", Message: "Internal Server Error"}, false
		},
		engine: func(c *broadcast.Config) { c.MaxAttempts = 3 },
	})
	b.addSenders(t, 1000, "+12065550001")
	b.addContacts(t, "crew", 1, 0)
	_, ch := b.send(t, "crew", "hello")
	p := waitDone(t, ch)
	if p.Counts.Failed != 1 || tries != 3 {
		t.Fatalf("counts = %+v after %d tries, want 1 failed after 3", p.Counts, tries)
	}
	reasons, err := b.engine.Reasons(context.Background(), p.Broadcast.ID)
	if err != nil || len(reasons) != 1 || reasons[0].Text != "gave up after 3 attempts: Internal Server Error" {
		t.Fatalf("reasons = %+v, %v", reasons, err)
	}
}

func TestEnginePauseResumeCancel(t *testing.T) {
	c := setupClocked(t, testOpts{})
	ctx := context.Background()
	c.addSenders(t, 1, "+12065550001")
	c.addContacts(t, "crew", 5, 0)
	p, ch := c.send(t, "crew", "hello")
	id := p.Broadcast.ID
	c.next(t)
	c.settle(t, 1)
	if _, err := c.engine.Pause(ctx, id, "bob"); err != nil {
		t.Fatal(err)
	}
	c.fake.Advance(time.Minute) // the pacer lets go, but the broadcast is paused
	c.settle(t, 0)
	if _, err := c.engine.Pause(ctx, id, "bob"); broadcast.ErrorMessage(err) != "broadcast #1 is already paused" {
		t.Fatalf("second pause: %v", err)
	}
	if _, err := c.engine.Resume(ctx, id, "bob"); err != nil {
		t.Fatal(err)
	}
	c.next(t)
	c.settle(t, 1)
	if _, err := c.engine.Cancel(ctx, id, "bob"); err != nil {
		t.Fatal(err)
	}
	final := waitDone(t, ch)
	if final.Broadcast.Status != broadcast.StatusCancelled || final.Counts.Sent != 2 || final.Counts.Skipped != 3 {
		t.Fatalf("final = %s %+v", final.Broadcast.Status, final.Counts)
	}
	c.fake.Advance(time.Hour)
	c.settle(t, 0)
	if _, err := c.engine.Resume(ctx, id, "bob"); broadcast.ErrorCode(err) != broadcast.ECONFLICT {
		t.Fatalf("resume after cancel: %v", err)
	}
}

func longText(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a'
	}
	return string(b)
}

var errNoAnswer = errors.New("connection reset after the request was written")

// A text in flight when its broadcast is cancelled, that then has to be
// retried, is skipped rather than left queued in a cancelled broadcast.
func TestEngineCancelWhileInFlight(t *testing.T) {
	fake := clockwork.NewFakeClockAt(t0)
	carrier := sim.New(sim.Config{Clock: fake, Latency: latency.Constant(time.Second), Fault: func(broadcast.Outgoing, int) (error, bool) {
		return &broadcast.SendError{Class: broadcast.Retryable, Code: "20429", Message: "Too Many Requests"}, false
	}})
	b := setup(t, testOpts{clock: fake, sim: carrier})
	b.addSenders(t, 100, "+12065550001")
	b.addContacts(t, "crew", 1, 0)
	p, ch := b.send(t, "crew", "hello")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fake.BlockUntilContext(ctx, 1+engineSleepers); err != nil { // the send waits on the carrier
		t.Fatal(err)
	}
	if _, err := b.engine.Cancel(context.Background(), p.Broadcast.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	fake.Advance(time.Second)
	final := waitDone(t, ch)
	if final.Counts.Skipped != 1 || final.Counts.Queued != 0 || final.Broadcast.Status != broadcast.StatusCancelled {
		t.Fatalf("final = %s %+v", final.Broadcast.Status, final.Counts)
	}
}

// When the provider refuses every text (bad credentials), the broadcast
// pauses with the reason instead of failing every text; Resume sends.
func TestEngineHaltsOnBadCredentials(t *testing.T) {
	var broken atomic.Bool
	broken.Store(true)
	b := setup(t, testOpts{fault: func(broadcast.Outgoing, int) (error, bool) {
		if broken.Load() {
			return &broadcast.SendError{Class: broadcast.Permanent, Code: "20003", Message: "Twilio refused the credentials", Halt: true}, false
		}
		return nil, false
	}})
	ctx := context.Background()
	b.addSenders(t, 1000, "+12065550001")
	b.addContacts(t, "crew", 5, 0)
	p, ch := b.send(t, "crew", "hello")
	var paused broadcast.Progress
	timeout := time.After(30 * time.Second)
	for paused.Broadcast.Status != broadcast.StatusPaused || paused.Counts.Total != 5 || paused.Counts.Sending != 0 {
		select {
		case paused = <-ch:
		case <-timeout:
			t.Fatalf("never paused with nothing in flight; last: %s %+v", paused.Broadcast.Status, paused.Counts)
		}
	}
	if paused.Note != "Twilio refused the credentials" || paused.Counts.Failed != 0 || paused.Counts.Queued != 5 {
		t.Fatalf("paused: note %q, counts %+v", paused.Note, paused.Counts)
	}
	broken.Store(false) // the organizer fixed the token
	if _, err := b.engine.Resume(ctx, p.Broadcast.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	if final := waitDone(t, ch); final.Counts.Sent != 5 || final.Counts.Failed != 0 {
		t.Fatalf("final: %+v", final.Counts)
	}
}
