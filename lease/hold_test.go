package lease_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"smsbot/lease"
)

// holding is a Hold under way.
type holding struct {
	started <-chan context.Context // each fn's context
	ended   <-chan struct{}        // each fn's return
	done    <-chan struct{}        // Hold's return
	stop    func()                 // ends Hold and waits for it
}

// hold runs k.Hold(ctx, name, 1s, fn) with an fn that reports its context
// and returns once it ends.
func (h *harness) hold(k *lease.Keeper, name string) holding {
	ctx, cancel := context.WithCancel(h.ctx)
	s, e, done := make(chan context.Context, 10), make(chan struct{}, 10), make(chan struct{})
	go func() {
		defer close(done)
		k.Hold(ctx, name, time.Second, func(ctx context.Context) {
			s <- ctx
			<-ctx.Done()
			e <- struct{}{}
		})
	}()
	stop := func() {
		cancel()
		select {
		case <-done:
		case <-time.After(wait):
			h.t.Fatal("Hold did not return after its context ended")
		}
	}
	h.t.Cleanup(stop)
	return holding{s, e, done, stop}
}

func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(wait):
		t.Fatal(what)
	}
	panic("unreachable")
}

func none[T any](t *testing.T, ch <-chan T, what string) {
	t.Helper()
	select {
	case <-ch:
		t.Fatal(what)
	default:
	}
}

func TestHoldRunsFnOnlyWhileItHoldsTheLease(t *testing.T) {
	h := newHarness(t)
	a, c := h.keeper("a")
	b, _ := h.keeper("b")
	bl := h.acquire(b, "poller", 1)
	h.run(a)
	c.waitTimers(t, 1)
	hd := h.hold(a, "poller")
	started, ended, stop := hd.started, hd.ended, hd.stop
	c.waitTimers(t, 2) // b holds it: Hold waits to try again
	none(t, started, "fn ran while b held the lease")
	b.Release(h.ctx, bl)
	h.clock.Advance(time.Second) // t0+1s: Hold tries again and gets it
	ctx := receive(t, started, "fn did not run once the lease was free")
	c.waitTimers(t, 3) // Run, for the new lease
	if ctx.Err() != nil || len(a.Held()) != 1 || a.Held()[0].Token != 2 {
		t.Fatalf("fn runs with ctx err %v, a holds %+v", ctx.Err(), a.Held())
	}
	// b takes the lease behind a's back: a's next renewal misses it and
	// fn's context ends.
	h.st.expire("poller", h.clock.Now())
	h.acquire(b, "poller", 3)
	h.clock.Advance(every - time.Second) // t0+4s
	h.renewal()
	receive(t, ended, "fn's context did not end when the lease was lost")
	c.waitTimers(t, 5) // Run waits again, and Hold to try again
	h.clock.Advance(time.Second)
	c.waitTimers(t, 6) // b holds it: no
	none(t, started, "fn ran again while b held the lease")
	stop()
	if r := h.st.row("poller"); r.Owner != "b" || r.Token != 3 {
		t.Fatalf("a's Hold changed b's lease: %+v", r)
	}
}

func TestHoldReleasesTheLeaseWhenFnReturns(t *testing.T) {
	h := newHarness(t)
	a, c := h.keeper("a")
	h.run(a)
	c.waitTimers(t, 1)
	hd := h.hold(a, "discord")
	started, ended, stop := hd.started, hd.ended, hd.stop
	ctx := receive(t, started, "fn did not run")
	c.waitTimers(t, 2)
	stop() // fn returns as its context ends with Hold's
	receive(t, ended, "fn did not return")
	if ctx.Err() == nil || len(a.Held()) != 0 {
		t.Fatalf("after Hold: fn's ctx %v, held %+v", ctx.Err(), a.Held())
	}
	if r := h.st.row("discord"); r.Token != 1 || !r.ExpiresAt.Equal(h.clock.Now()) {
		t.Fatalf("Hold did not release the lease: %+v", r)
	}
}

func TestRunsEndReleasesEveryLeaseAndRefusesNewOnes(t *testing.T) {
	h := newHarness(t)
	a, c := h.keeper("a")
	l1 := h.acquire(a, "sender:1", 1)
	l2 := h.acquire(a, "poller", 1)
	stop := h.run(a)
	c.waitTimers(t, 2)
	stop()
	if !closed(l1.Lost(), false) || !closed(l2.Lost(), false) {
		t.Fatal("leases still held after Run ended")
	}
	if ls, _ := h.st.Leases(h.ctx, "", h.clock.Now()); len(ls) != 0 {
		t.Fatalf("leases not released when Run ended: %+v", ls)
	}
	if l, err := a.TryAcquire(h.ctx, "sender:1"); l != nil || !errors.Is(err, lease.ErrClosed) {
		t.Fatalf("TryAcquire after Run ended: %+v, %v; want ErrClosed", l, err)
	}
	hd := h.hold(a, "sender:2")
	receive(t, hd.done, "Hold on a stopped Keeper did not return")
	none(t, hd.started, "Hold ran fn on a stopped Keeper")
	b, _ := h.keeper("b")
	h.acquire(b, "sender:1", 2)
	h.acquire(b, "poller", 2)
}
