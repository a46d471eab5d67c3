package lease_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"smsbot/lease"
)

// Trust lasts TTL-Margin from the start of the last renewal, not its end:
// a slow reply does not stretch it.
func TestTrustEndsAtTTLMinusMarginAfterTheRenewalStart(t *testing.T) {
	h := newHarness(t)
	k, c := h.keeper("a")
	l := h.acquire(k, "poller", 1)
	until := t0.Add(ttl - margin)
	if !l.TrustedUntil().Equal(until) || !l.Trusted(until.Add(-time.Nanosecond)) || l.Trusted(until) {
		t.Fatalf("a lease acquired at t0 is trusted until %v, want %v", l.TrustedUntil(), until)
	}
	h.st.setAfter(func(op string) {
		if op == "renew" {
			h.clock.Advance(2 * time.Second) // a slow reply
		}
	})
	h.run(k)
	c.waitTimers(t, 2) // Run waits, then again for the lease acquired before it
	h.clock.Advance(every)
	h.renewal()
	c.waitTimers(t, 3)
	start := t0.Add(every)
	if got := l.TrustedUntil(); !got.Equal(start.Add(ttl - margin)) {
		t.Fatalf("after a renewal started at %v and ended 2s later the lease is trusted until %v, want %v",
			start, got, start.Add(ttl-margin))
	}
	if r := h.st.row("poller"); !r.ExpiresAt.Equal(start.Add(ttl)) {
		t.Fatalf("renewed row %+v", r)
	}
	if closed(l.Lost(), false) {
		t.Fatal("a renewed lease was lost")
	}
}

func TestATakenLeaseIsLostAtTheNextRenewal(t *testing.T) {
	h := newHarness(t)
	a, c := h.keeper("a")
	l := h.acquire(a, "sender:1", 1)
	h.run(a)
	c.waitTimers(t, 2)
	// a's row expired in the table (its renewals reached it too late)
	// and b took the lease. a's own clock still trusts it: only the token
	// fences a's writes now, until its next renewal.
	h.st.expire("sender:1", h.clock.Now())
	b, _ := h.keeper("b")
	h.acquire(b, "sender:1", 2)
	if closed(l.Lost(), false) {
		t.Fatal("lost before a renewal said so")
	}
	h.clock.Advance(every)
	h.renewal()
	if !closed(l.Lost(), true) {
		t.Fatal("a renewal without the lease did not end it")
	}
	c.waitTimers(t, 3)
	if s := a.Stats(); s != (lease.Stats{Acquired: 1, Lost: 1, Renewing: true}) || len(a.Held()) != 0 {
		t.Fatalf("a's stats %+v, held %+v", s, a.Held())
	}
	if r := h.st.row("sender:1"); r.Owner != "b" || r.Token != 2 || !r.ExpiresAt.After(h.clock.Now()) {
		t.Fatalf("a losing the lease changed b's row: %+v", r)
	}
}

func TestRenewalsFailingUntilTrustRunsOutLoseTheLease(t *testing.T) {
	h := newHarness(t)
	k, c := h.keeper("a")
	l := h.acquire(k, "sender:1", 1)
	h.st.failRenewals(errors.New("connection refused"))
	h.run(k)
	c.waitTimers(t, 2)
	for i := range 2 { // t0+4s, t0+8s
		h.clock.Advance(every)
		h.renewal()
		c.waitTimers(t, 3+i)
		if closed(l.Lost(), false) || k.Stats().Renewing {
			t.Fatalf("renewal %d failed: lost %v, stats %+v", i+1, closed(l.Lost(), false), k.Stats())
		}
	}
	h.clock.Advance(margin - time.Millisecond) // t0+8.999s
	if closed(l.Lost(), false) || !l.Trusted(h.clock.Now()) {
		t.Fatal("lost before its trust ran out")
	}
	h.clock.Advance(time.Millisecond) // t0+9s
	if !closed(l.Lost(), true) {
		t.Fatal("not lost when its trust ran out")
	}
	c.waitTimers(t, 5)
	if s := k.Stats(); s != (lease.Stats{Acquired: 1, Lost: 1}) {
		t.Fatalf("stats %+v", s)
	}
	// The table still has it as a's: once renewals work, a takes it again.
	h.st.failRenewals(nil)
	h.acquire(k, "sender:1", 2)
}

func TestOneFailedRenewalKeepsTheLease(t *testing.T) {
	h := newHarness(t)
	k, c := h.keeper("a")
	l := h.acquire(k, "sender:1", 1)
	h.st.failRenewals(errors.New("connection refused"))
	h.run(k)
	c.waitTimers(t, 2)
	h.clock.Advance(every)
	h.renewal()
	c.waitTimers(t, 3)
	h.st.failRenewals(nil)
	h.clock.Advance(every)
	h.renewal()
	c.waitTimers(t, 4)
	if got, want := l.TrustedUntil(), t0.Add(2*every+ttl-margin); !got.Equal(want) || closed(l.Lost(), false) || !k.Stats().Renewing {
		t.Fatalf("trusted until %v (want %v), lost %v, stats %+v", got, want, closed(l.Lost(), false), k.Stats())
	}
}

// A process frozen (SIGSTOP, a long pause) past its trust distrusts its
// leases the moment it wakes, and loses them at its renewal.
func TestAFrozenKeeperStopsTrustingOnWaking(t *testing.T) {
	h := newHarness(t)
	k, c := h.keeper("a")
	l := h.acquire(k, "sender:1", 1)
	h.run(k)
	c.waitTimers(t, 2)
	h.clock.Advance(2 * ttl)
	if l.Trusted(h.clock.Now()) {
		t.Fatal("trusted after a 20s freeze")
	}
	h.renewal()
	if !closed(l.Lost(), true) {
		t.Fatal("not lost after a 20s freeze")
	}
}

// A lease acquired while a renewal is under way is not judged by it: the
// renewal's statement ran before the lease existed.
func TestALeaseAcquiredDuringARenewalIsKept(t *testing.T) {
	h := newHarness(t)
	k, c := h.keeper("a")
	h.acquire(k, "sender:1", 1)
	inRenew, proceed := make(chan struct{}), make(chan struct{})
	var once sync.Once
	h.st.setAfter(func(op string) {
		if op == "renew" {
			once.Do(func() {
				close(inRenew)
				<-proceed
			})
		}
	})
	h.run(k)
	c.waitTimers(t, 2)
	h.clock.Advance(every)
	select {
	case <-inRenew:
	case <-time.After(wait):
		t.Fatal("no renewal")
	}
	y := h.acquire(k, "sender:2", 1)
	close(proceed)
	h.renewal()
	c.waitTimers(t, 4) // after the renewal, and again for the new lease
	if closed(y.Lost(), false) || len(k.Held()) != 2 {
		t.Fatalf("a lease acquired during a renewal was lost: held %+v", k.Held())
	}
	h.clock.Advance(every)
	h.renewal()
	c.waitTimers(t, 5)
	want := t0.Add(2*every + ttl - margin)
	if got := k.Held(); fmt.Sprint(got) != fmt.Sprint([]lease.Held{{"sender:1", 1, want}, {"sender:2", 1, want}}) {
		t.Fatalf("held after the next renewal %+v", got)
	}
}
