package sim_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/broadcast/latency"
	"smsbot/broadcast/sim"
)

var (
	sender = broadcast.Sender{ID: 1, Address: "+15550000001", Rate: 1, Enabled: true}
	text   = broadcast.Outgoing{From: sender, To: "+15550000002", Body: "hi"}
)

// sendResult is what one Send returned.
type sendResult struct {
	sid string
	err error
}

// sendAsync runs p.Send in a goroutine and returns where its result goes.
func sendAsync(ctx context.Context, p *sim.Provider, m broadcast.Outgoing) <-chan sendResult {
	done := make(chan sendResult, 1)
	go func() {
		sid, err := p.Send(ctx, m)
		done <- sendResult{sid, err}
	}()
	return done
}

// recv receives from ch, failing the test if nothing comes within a
// deadline that only a broken carrier reaches.
func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("nothing received within 10s")
		panic("unreachable")
	}
}

// waitForTimer blocks until the fake clock has n timers, failing the test
// after a deadline.
func waitForTimer(t *testing.T, clock *clockwork.FakeClock, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := clock.BlockUntilContext(ctx, n); err != nil {
		t.Fatalf("no timer on the clock: %v", err)
	}
}

func TestSendTakesTheSampledLatencyOnTheClock(t *testing.T) {
	dist := latency.LogNormal(150*time.Millisecond, 400*time.Millisecond)
	clock := clockwork.NewFakeClock()
	p := sim.New(sim.Config{Clock: clock, Latency: dist, Seed: 9})

	r := rand.New(rand.NewPCG(9, 9)) // Config.Seed's documented source
	for i := range 20 {
		d := dist.Sample(r)
		done := sendAsync(context.Background(), p, text)
		waitForTimer(t, clock, 1)
		clock.Advance(d - time.Nanosecond)
		select {
		case res := <-done:
			t.Fatalf("send %d returned %v before its latency %v", i, res, d)
		default:
		}
		clock.Advance(time.Nanosecond)
		if res := recv(t, done); res.err != nil {
			t.Fatalf("send %d: %v", i, res.err)
		}
		if got := p.Sent(); len(got) != i+1 || !got[i].Created.Equal(clock.Now()) {
			t.Fatalf("send %d: recorded %+v, want created at the end of its latency %v", i, got[len(got)-1], clock.Now())
		}
	}
}

func TestSendInterruptedIsAmbiguousAndNotRecorded(t *testing.T) {
	clock := clockwork.NewFakeClock()
	p := sim.New(sim.Config{Clock: clock, Latency: latency.Constant(time.Second)})
	ctx, cancel := context.WithCancel(context.Background())

	done := sendAsync(ctx, p, text)
	waitForTimer(t, clock, 1)
	cancel()
	res := recv(t, done)
	var se *broadcast.SendError
	if !errors.As(res.err, &se) || se.Class != broadcast.Ambiguous || !errors.Is(res.err, context.Canceled) {
		t.Fatalf("error = %v, want an Ambiguous SendError wrapping context.Canceled", res.err)
	}
	if n := len(p.Sent()); n != 0 {
		t.Errorf("%d texts recorded, want 0", n)
	}
}

func TestNoLatencyAnswersAtOnce(t *testing.T) {
	clock := clockwork.NewFakeClock() // never advanced: a wait would hang
	p := sim.New(sim.Config{Clock: clock})
	if res := recv(t, sendAsync(context.Background(), p, text)); res.err != nil {
		t.Fatal(res.err)
	}
	got, err := p.Lookup(context.Background(), sender, text.To, time.Time{})
	if err != nil || len(got) != 1 {
		t.Fatalf("Lookup = %v, %v; want the text", got, err)
	}
}

func TestLookupTakesLookupLatency(t *testing.T) {
	clock := clockwork.NewFakeClock()
	p := sim.New(sim.Config{Clock: clock, LookupLatency: latency.Constant(200 * time.Millisecond)})
	if _, err := p.Send(context.Background(), text); err != nil { // Send has no latency
		t.Fatal(err)
	}

	type lookup struct {
		sent []broadcast.Sent
		err  error
	}
	run := func(ctx context.Context) <-chan lookup {
		done := make(chan lookup, 1)
		go func() {
			sent, err := p.Lookup(ctx, sender, text.To, time.Time{})
			done <- lookup{sent, err}
		}()
		return done
	}
	done := run(context.Background())
	waitForTimer(t, clock, 1)
	clock.Advance(199 * time.Millisecond)
	select {
	case l := <-done:
		t.Fatalf("Lookup returned %+v before its latency", l)
	default:
	}
	clock.Advance(time.Millisecond)
	if l := recv(t, done); l.err != nil || len(l.sent) != 1 {
		t.Fatalf("Lookup = %+v, want the text", l)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done = run(ctx)
	waitForTimer(t, clock, 1)
	cancel()
	if l := recv(t, done); !errors.Is(l.err, context.Canceled) {
		t.Errorf("cancelled Lookup = %+v, want context.Canceled", l)
	}
}
