package lease_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"smsbot/lease"
)

func TestNewChecksItsConfig(t *testing.T) {
	if _, err := lease.New(lease.Config{}); err == nil {
		t.Error("New without a Store: no error")
	}
	if _, err := lease.New(lease.Config{Store: newMemStore(), TTL: time.Second, Margin: time.Second}); err == nil {
		t.Error("New with Margin = TTL: no error")
	}
	k, err := lease.New(lease.Config{Store: newMemStore()})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(k.Owner(), "/") != 2 || k.TTL() != 10*time.Second {
		t.Fatalf("defaults: owner %q, TTL %v", k.Owner(), k.TTL())
	}
}

func TestTryAcquire(t *testing.T) {
	h := newHarness(t)
	a, _ := h.keeper("a")
	b, _ := h.keeper("b")
	l := h.acquire(a, "sender:1", 1)
	if got := a.Held(); fmt.Sprint(got) != fmt.Sprint([]lease.Held{{Name: "sender:1", Token: 1, TrustedUntil: t0.Add(ttl - margin)}}) {
		t.Fatalf("Held() = %+v", got)
	}
	// Held already: the same Lease, and no new acquisition.
	if again := h.acquire(a, "sender:1", 1); again != l {
		t.Fatal("TryAcquire of a held lease returned another Lease")
	}
	if r := h.st.row("sender:1"); r.Token != 1 {
		t.Fatalf("TryAcquire of a held lease acquired it again: %+v", r)
	}
	if got, err := b.TryAcquire(h.ctx, "sender:1"); got != nil || err != nil {
		t.Fatalf("b acquired a's lease: %+v, %v", got, err)
	}
	h.clock.Advance(ttl - time.Nanosecond)
	if got, err := b.TryAcquire(h.ctx, "sender:1"); got != nil || err != nil {
		t.Fatalf("b acquired a's lease before it expired: %+v, %v", got, err)
	}
	h.clock.Advance(time.Nanosecond)
	bl := h.acquire(b, "sender:1", 2)
	if got := bl.TrustedUntil(); !got.Equal(t0.Add(2*ttl - margin)) {
		t.Fatalf("b trusts its lease until %v", got)
	}
	ctx, cancel := context.WithCancel(h.ctx)
	cancel()
	if got, err := a.TryAcquire(ctx, "poller"); got != nil || err == nil {
		t.Fatalf("TryAcquire with a failing store: %+v, %v", got, err)
	}
	if s := b.Stats(); s != (lease.Stats{Held: 1, Acquired: 1, Renewing: true}) {
		t.Fatalf("b's stats %+v", s)
	}
}

func TestReleaseEndsTrustAndFreesTheLeaseAtOnce(t *testing.T) {
	h := newHarness(t)
	a, _ := h.keeper("a")
	b, _ := h.keeper("b")
	l := h.acquire(a, "poller", 1)
	h.clock.Advance(time.Second)
	a.Release(h.ctx, l)
	if !closed(l.Lost(), false) || l.Trusted(h.clock.Now()) {
		t.Fatal("a released lease is still trusted")
	}
	if r := h.st.row("poller"); !r.ExpiresAt.Equal(t0.Add(time.Second)) {
		t.Fatalf("the released lease's row %+v, want it expired now", r)
	}
	bl := h.acquire(b, "poller", 2)
	a.Release(h.ctx, l) // again: does nothing, b's lease stays
	a.Release(h.ctx, nil)
	if r := h.st.row("poller"); r.Owner != "b" || !r.ExpiresAt.After(h.clock.Now()) || !bl.Trusted(h.clock.Now()) {
		t.Fatalf("releasing a lost lease again changed b's: %+v", r)
	}
	if s := a.Stats(); s != (lease.Stats{Acquired: 1, Renewing: true}) || len(a.Held()) != 0 {
		t.Fatalf("a's stats after release %+v, held %+v", s, a.Held())
	}
}

func TestOthersListsOtherOwnersLeases(t *testing.T) {
	h := newHarness(t)
	a, _ := h.keeper("a")
	b, _ := h.keeper("b")
	h.acquire(a, "sender:1", 1)
	h.acquire(b, "sender:2", 1)
	h.acquire(b, "poller", 1)
	got, err := a.Others(h.ctx, "sender:")
	if err != nil || len(got) != 1 || got[0].Name != "sender:2" || got[0].Owner != "b" {
		t.Fatalf("Others(sender:) = %+v, %v", got, err)
	}
}
