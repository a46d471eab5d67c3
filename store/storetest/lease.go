package storetest

import (
	"fmt"
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/lease"
	"smsbot/store"
)

// ttl is the lease TTL of these tests.
const ttl = 10 * time.Second

// acquire takes a lease at the clock's time and returns its token and
// whether it was granted.
func (b *bundle) acquire(name, owner string) (int64, bool) {
	b.t.Helper()
	token, ok, err := b.st.AcquireLease(b.ctx, name, owner, b.clock.Now(), ttl)
	b.check(err, "acquire lease "+name)
	return token, ok
}

// mustAcquire takes a lease that must be granted with token want.
func (b *bundle) mustAcquire(name, owner string, want int64) {
	b.t.Helper()
	if token, ok := b.acquire(name, owner); !ok || token != want {
		b.t.Fatalf("%s acquires %s: token %d, granted %v; want token %d", owner, name, token, ok, want)
	}
}

// leases lists the unexpired leases with prefix at the clock's time.
func (b *bundle) leases(prefix string) []lease.Info {
	b.t.Helper()
	ls, err := b.st.Leases(b.ctx, prefix, b.clock.Now())
	b.check(err, "leases")
	return ls
}

// names is "name owner token" of each lease.
func names(ls []lease.Info) string {
	out := ""
	for _, l := range ls {
		out += fmt.Sprintf("[%s %s %d]", l.Name, l.Owner, l.Token)
	}
	return out
}

// testLeases: a lease goes to one owner at a time until it expires or is
// released, its token grows with every acquisition and never restarts,
// and the sender lease's token fences claims and outcomes.
func testLeases(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		"FreeGivesTokenOneThenSameOwnerBumpsIt": func(b *bundle) {
			b.mustAcquire("poller", "a", 1)
			ls := b.leases("")
			if len(ls) != 1 || ls[0] != (lease.Info{Name: "poller", Owner: "a", Token: 1, AcquiredAt: ls[0].AcquiredAt, ExpiresAt: ls[0].ExpiresAt}) ||
				!ls[0].AcquiredAt.Equal(t0) || !ls[0].ExpiresAt.Equal(t0.Add(ttl)) {
				b.t.Fatalf("leases = %+v", ls)
			}
			b.clock.Advance(3 * time.Second)
			b.mustAcquire("poller", "a", 2)
			if ls := b.leases(""); len(ls) != 1 || ls[0].Token != 2 || !ls[0].AcquiredAt.Equal(t0.Add(3*time.Second)) ||
				!ls[0].ExpiresAt.Equal(t0.Add(3*time.Second+ttl)) {
				b.t.Fatalf("leases after acquiring again = %+v", ls)
			}
		},
		"AnotherOwnerOnlyAfterExpiry": func(b *bundle) {
			b.mustAcquire("sender:1", "a", 1)
			b.clock.Advance(ttl - time.Second)
			if b.st.Dialect() == store.SQLite {
				// On SQLite a lease is always granted: the database file's
				// lock (store.NewLock) lets one process at a time open it,
				// so a lease another owner holds was left by a process that
				// is gone, and waiting for its TTL would only delay.
				b.mustAcquire("sender:1", "b", 2)
				return
			}
			if token, ok := b.acquire("sender:1", "b"); ok || token != 0 {
				b.t.Fatalf("b took a's unexpired lease: token %d", token)
			}
			if ls := b.leases(""); names(ls) != "[sender:1 a 1]" {
				b.t.Fatalf("a refused acquisition changed the lease: %s", names(ls))
			}
			b.clock.Advance(time.Second) // expires_at = now: expired
			b.mustAcquire("sender:1", "b", 2)
			if token, ok := b.acquire("sender:1", "a"); ok {
				b.t.Fatalf("a took the lease back from b: token %d", token)
			}
		},
		"RenewExtendsOnlyTheOwnersUnexpiredLeases": func(b *bundle) {
			b.mustAcquire("sender:1", "a", 1)
			b.mustAcquire("sender:2", "a", 1)
			b.mustAcquire("poller", "b", 1)
			_, _, err := b.st.AcquireLease(b.ctx, "discord", "a", b.clock.Now(), time.Second)
			b.check(err, "acquire short lease")
			b.clock.Advance(time.Second) // discord expires now
			got, err := b.st.RenewLeases(b.ctx, "a", b.clock.Now(), ttl)
			b.check(err, "renew")
			if fmt.Sprint(got) != "map[sender:1:1 sender:2:1]" {
				b.t.Fatalf("renewed %v, want sender:1 and sender:2", got)
			}
			b.clock.Advance(ttl - time.Second) // a's first expiry
			if ls := b.leases(""); names(ls) != "[sender:1 a 1][sender:2 a 1]" || !ls[0].ExpiresAt.Equal(t0.Add(time.Second+ttl)) ||
				!ls[0].AcquiredAt.Equal(t0) {
				b.t.Fatalf("leases after renewal = %s %+v", names(ls), ls)
			}
			if got, err := b.st.RenewLeases(b.ctx, "nobody", b.clock.Now(), ttl); err != nil || len(got) != 0 {
				b.t.Fatalf("renew of an owner with no leases = %v, %v", got, err)
			}
			b.clock.Advance(time.Second) // a's renewed expiry
			if got, err := b.st.RenewLeases(b.ctx, "a", b.clock.Now(), ttl); err != nil || len(got) != 0 {
				b.t.Fatalf("renewed expired leases: %v, %v", got, err)
			}
		},
		"ReleaseFreesAtOnceAndTokensKeepGrowing": func(b *bundle) {
			b.mustAcquire("poller", "a", 1)
			b.check(b.st.ReleaseLease(b.ctx, "poller", "a", 1, b.clock.Now()), "release")
			if ls := b.leases(""); len(ls) != 0 {
				b.t.Fatalf("released lease still listed: %s", names(ls))
			}
			b.mustAcquire("poller", "b", 2)
			// A release by another owner, or under an old token, does
			// nothing.
			b.check(b.st.ReleaseLease(b.ctx, "poller", "a", 1, b.clock.Now()), "stale release")
			b.check(b.st.ReleaseLease(b.ctx, "poller", "a", 2, b.clock.Now()), "release by another owner")
			if ls := b.leases(""); names(ls) != "[poller b 2]" {
				b.t.Fatalf("a stale release changed b's lease: %s", names(ls))
			}
			b.clock.Advance(time.Second)
			b.check(b.st.ReleaseLease(b.ctx, "poller", "b", 2, b.clock.Now()), "release")
			b.mustAcquire("poller", "a", 3)
			b.check(b.st.ReleaseLease(b.ctx, "poller", "a", 3, b.clock.Now()), "release")
			b.clock.Advance(time.Hour)
			b.mustAcquire("poller", "a", 4)
		},
		"ListedByPrefix": func(b *bundle) {
			for _, n := range []string{"sender:2", "poller", "sender:10", "progress:5", "discord"} {
				b.mustAcquire(n, "a", 1)
			}
			b.mustAcquire("sender:3", "b", 1)
			b.check(b.st.ReleaseLease(b.ctx, "sender:3", "b", 1, b.clock.Now()), "release")
			if got := names(b.leases("sender:")); got != "[sender:10 a 1][sender:2 a 1]" {
				b.t.Fatalf("sender: leases = %s", got)
			}
			if got := names(b.leases("")); got != "[discord a 1][poller a 1][progress:5 a 1][sender:10 a 1][sender:2 a 1]" {
				b.t.Fatalf("all leases = %s", got)
			}
			if got := b.leases("sender:%"); len(got) != 0 {
				b.t.Fatalf("a prefix is not a pattern: %s", names(got))
			}
			if got := b.leases("progress:50"); len(got) != 0 {
				b.t.Fatalf("progress:50 leases = %s", names(got))
			}
		},
		"TokenFencesClaimsAndOutcomes": testFencing,
	})
}

// testFencing: once b took a's sender lease, a claim or outcome under a's
// token changes nothing, while b's works; an expired lease claims
// nothing, even under its current token.
func testFencing(b *bundle) {
	s := b.sender("+12065550101", 1)
	b.members("crew", 0, 4)
	br := b.sending("crew", "x")
	ms := b.queued(s.ID)
	if len(ms) != 4 {
		b.t.Fatalf("%d rows queued, want 4", len(ms))
	}
	name := fmt.Sprintf("sender:%d", s.ID)
	b.mustAcquire(name, "a", 1)
	claimAs := func(token int64, ids ...int64) []int64 {
		b.t.Helper()
		return b.commit(broadcast.Commit{Claims: []broadcast.Claim{{SenderID: s.ID, Token: token, IDs: ids}}})[0]
	}
	if got := claimAs(1, ms[0].ID, ms[1].ID); len(got) != 2 {
		b.t.Fatalf("a claimed %v under its lease, want 2 rows", got)
	}
	if got := claimAs(7, ms[2].ID); len(got) != 0 {
		b.t.Fatalf("claimed %v under a token the lease never had", got)
	}
	b.clock.Advance(ttl) // a's lease expires: b takes it
	if got := claimAs(1, ms[2].ID); len(got) != 0 {
		b.t.Fatalf("claimed %v under an expired lease", got)
	}
	b.mustAcquire(name, "b", 2)
	if got := claimAs(1, ms[2].ID, ms[3].ID); len(got) != 0 {
		b.t.Fatalf("a claimed %v with its old token", got)
	}
	// a's outcomes for the rows it claimed change nothing: the short
	// statement (sent) and the long one (failed, requeued).
	failed := sent(ms[1], "")
	failed.Status, failed.ErrorCode, failed.ErrorText = broadcast.MsgFailed, "30007", "Carrier violation"
	old := []broadcast.Outcome{sent(ms[0], sid(1)), failed}
	for i := range old {
		old[i].Token = 1
	}
	b.settle(old...)
	if c := b.counts(br.ID); c.Sending != 2 || c.Queued != 2 {
		b.t.Fatalf("counts after a's stale outcomes = %+v, want 2 sending, 2 queued", c)
	}
	requeue := sent(ms[1], "")
	requeue.Status, requeue.NextAttempt, requeue.Token = broadcast.MsgQueued, b.clock.Now(), 1
	b.settle(requeue)
	if c := b.counts(br.ID); c.Sending != 2 || c.Queued != 2 {
		b.t.Fatalf("counts after a's stale requeue = %+v", c)
	}
	// b, reconciling a's rows and sending its own, under token 2.
	if got := claimAs(2, ms[2].ID, ms[3].ID); len(got) != 2 {
		b.t.Fatalf("b claimed %v under its lease, want 2 rows", got)
	}
	for i := range old {
		old[i].Token = 2
	}
	b.settle(append(old, sent(ms[2], sid(3)))...)
	if c := b.counts(br.ID); c != (broadcast.Counts{Total: 4, Sent: 2, Failed: 1, Sending: 1}) {
		b.t.Fatalf("counts after b's outcomes = %+v", c)
	}
	// b's lease released: its token still settles (the row is b's to
	// settle until another takes the lease) but claims nothing.
	b.check(b.st.ReleaseLease(b.ctx, name, "b", 2, b.clock.Now()), "release")
	last := sent(ms[3], sid(4))
	last.Token = 2
	b.settle(last)
	if c := b.counts(br.ID); c != (broadcast.Counts{Total: 4, Sent: 3, Failed: 1}) {
		b.t.Fatalf("counts after b's last outcome = %+v", c)
	}
}
