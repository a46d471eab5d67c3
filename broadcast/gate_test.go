package broadcast_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
)

var throttled = &broadcast.SendError{Class: broadcast.Retryable, Code: "20429", Throttled: true}

// acquireAsync starts an Acquire and returns a channel of its slot.
func acquireAsync(ctx context.Context, g *broadcast.Gate) <-chan *broadcast.Slot {
	ch := make(chan *broadcast.Slot, 1)
	go func() {
		s, err := g.Acquire(ctx)
		if err != nil {
			close(ch)
			return
		}
		ch <- s
	}()
	return ch
}

func mustAcquire(t *testing.T, g *broadcast.Gate) *broadcast.Slot {
	t.Helper()
	s, err := g.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// waitState waits until the gate's state satisfies ok.
func waitState(t *testing.T, g *broadcast.Gate, ok func(broadcast.GateState) bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok(g.State()) {
		if time.Now().After(deadline) {
			t.Fatalf("gate state %+v never as expected", g.State())
		}
		time.Sleep(time.Millisecond) // polling a condition, not timing
	}
}

func TestGateCapsCallsAndAdmitsInArrivalOrder(t *testing.T) {
	g := broadcast.NewGate(broadcast.GateConfig{Limit: 2, Clock: clockwork.NewFakeClock()})
	a, b := mustAcquire(t, g), mustAcquire(t, g)
	first := acquireAsync(context.Background(), g)
	waitState(t, g, func(st broadcast.GateState) bool { return st.Waiting == 1 })
	second := acquireAsync(context.Background(), g)
	waitState(t, g, func(st broadcast.GateState) bool { return st.Waiting == 2 })
	blocked(t, first, "a third call got a slot with a cap of 2")
	blocked(t, second, "a fourth call got a slot with a cap of 2")
	a.Release(nil)
	s1 := recvSlot(t, first)
	blocked(t, second, "the later waiter went first")
	b.Release(nil)
	s2 := recvSlot(t, second)
	s1.Release(nil)
	s2.Release(nil)
	if st := g.State(); st.InUse != 0 || st.Peak != 2 {
		t.Fatalf("state %+v, want nothing in use and a peak of 2", st)
	}
}

// blocked checks that an Acquire has not returned.
func blocked(t *testing.T, ch <-chan *broadcast.Slot, what string) {
	t.Helper()
	select {
	case <-ch:
		t.Fatal(what)
	default:
	}
}

func recvSlot(t *testing.T, ch <-chan *broadcast.Slot) *broadcast.Slot {
	t.Helper()
	select {
	case s, ok := <-ch:
		if !ok {
			t.Fatal("Acquire failed")
		}
		return s
	case <-time.After(5 * time.Second):
		t.Fatal("no slot")
	}
	return nil
}

func TestGateThrottleCutsOncePerRoundAndGrowsBack(t *testing.T) {
	g := broadcast.NewGate(broadcast.GateConfig{Limit: 100, Name: "Twilio", Clock: clockwork.NewFakeClock()})
	// 40 calls in flight when the account starts refusing: all of them
	// were sent at the old cap, so together they cut it once.
	var slots []*broadcast.Slot
	for range 40 {
		slots = append(slots, mustAcquire(t, g))
	}
	for _, s := range slots {
		s.Release(throttled)
	}
	if st := g.State(); st.Limit != 50 || st.Cuts != 1 {
		t.Fatalf("after one round of refusals: %+v, want limit 50 after 1 cut", st)
	}
	if got, want := g.Note(), "Twilio is limiting concurrent requests: sending 50 at a time"; got != want {
		t.Fatalf("note %q, want %q", got, want)
	}
	// A call sent after the cut and refused cuts again.
	mustAcquire(t, g).Release(throttled)
	if st := g.State(); st.Limit != 25 {
		t.Fatalf("limit %d after a second round, want 25", st.Limit)
	}
	// Other errors leave the cap alone.
	mustAcquire(t, g).Release(errors.New("reset"))
	mustAcquire(t, g).Release(&broadcast.SendError{Class: broadcast.Retryable})
	if st := g.State(); st.Limit != 25 {
		t.Fatalf("limit %d after errors that are not refusals, want 25", st.Limit)
	}
	// Additive increase: about one per round of successes.
	for range 26 {
		mustAcquire(t, g).Release(nil)
	}
	if st := g.State(); st.Limit != 26 {
		t.Fatalf("limit %d after 26 successes at 25, want 26", st.Limit)
	}
	for range 10_000 {
		mustAcquire(t, g).Release(nil)
	}
	if st := g.State(); st.Limit != 100 || g.Note() != "" {
		t.Fatalf("after many successes: %+v note %q, want back at 100 with no note", st, g.Note())
	}
}

func TestGateCutNeverBelowOne(t *testing.T) {
	g := broadcast.NewGate(broadcast.GateConfig{Limit: 4, Clock: clockwork.NewFakeClock()})
	for range 10 {
		mustAcquire(t, g).Release(throttled)
	}
	if st := g.State(); st.Limit != 1 {
		t.Fatalf("limit %d, want 1", st.Limit)
	}
	mustAcquire(t, g).Release(nil) // still admits one
}

func TestGateHonoursRetryAfter(t *testing.T) {
	clock := clockwork.NewFakeClock()
	g := broadcast.NewGate(broadcast.GateConfig{Limit: 10, Clock: clock})
	mustAcquire(t, g).Release(&broadcast.SendError{Class: broadcast.Retryable, Throttled: true, RetryAfter: 2 * time.Second})
	ch := acquireAsync(context.Background(), g)
	if err := clock.BlockUntilContext(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	clock.Advance(1999 * time.Millisecond)
	blocked(t, ch, "a call started before Retry-After ended")
	if st := g.State(); st.Waiting != 1 {
		t.Fatalf("state %+v, want the call waiting", st)
	}
	clock.Advance(time.Millisecond)
	recvSlot(t, ch).Release(nil)
}

func TestGateBoundContextTakesNoSecondSlot(t *testing.T) {
	g := broadcast.NewGate(broadcast.GateConfig{Limit: 1, Clock: clockwork.NewFakeClock()})
	outer := mustAcquire(t, g)
	ctx := outer.Bind(context.Background())
	inner, err := g.Acquire(ctx) // with a cap of 1, a second slot would block forever
	if err != nil {
		t.Fatal(err)
	}
	inner.Release(throttled) // owns nothing: neither frees nor cuts
	if st := g.State(); st.InUse != 1 || st.Cuts != 0 {
		t.Fatalf("state %+v after releasing the inner slot, want 1 in use and no cut", st)
	}
	outer.Release(nil)
	outer.Release(nil) // twice is harmless
	if st := g.State(); st.InUse != 0 {
		t.Fatalf("in use %d, want 0", st.InUse)
	}
}

func TestGateWaiterGivesUpWithItsContext(t *testing.T) {
	g := broadcast.NewGate(broadcast.GateConfig{Limit: 1, Clock: clockwork.NewFakeClock()})
	s := mustAcquire(t, g)
	ctx, cancel := context.WithCancel(context.Background())
	ch := acquireAsync(ctx, g)
	waitState(t, g, func(st broadcast.GateState) bool { return st.Waiting == 1 })
	cancel()
	if _, ok := <-ch; ok {
		t.Fatal("a cancelled waiter got a slot")
	}
	s.Release(nil)
	mustAcquire(t, g).Release(nil) // the slot was not lost
	waitState(t, g, func(st broadcast.GateState) bool { return st.InUse == 0 })
}
