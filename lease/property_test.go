package lease_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/lease"
	"smsbot/store"
	"smsbot/store/storetest"
)

// The property test plays seeded random operations (acquire, advance the
// clock, send and settle under a lease, release, freeze and thaw a
// replica, restart or kill one) against replicas sharing one real store
// and one fake clock, and checks after every step that
//   - at most one replica trusts each lease, and only the one the
//     database has as its holder, with the latest token;
//   - tokens of a name grow by one at every acquisition;
//   - a lease's holder that is not its latest acquirer claims and settles
//     nothing under its token;
//   - a running replica holds no lease past its trust.
//
// The seeds in testdata/property-seeds run first, then a new one (see
// forSeeds).
//
// TestPropertyPostgres runs three replicas on one PostgreSQL store.
func TestPropertyPostgres(t *testing.T) {
	storetest.Postgres(t) // skips here without the database, or fails under CI
	forSeeds(t, func(t *testing.T, seed uint64) { play(t, seed, storetest.OpenPostgres, 3) })
}

// TestPropertySQLite runs one replica on a SQLite file: one process per
// file is all SQLite allows (store.NewLock), so it grants every
// acquisition, and only tokens and fencing are left to check.
func TestPropertySQLite(t *testing.T) {
	forSeeds(t, func(t *testing.T, seed uint64) { play(t, seed, openSQLite, 1) })
}

// proc is one run of a replica: a Keeper whose timers run on a clock of
// their own, held back while the replica is frozen.
type proc struct {
	owner  string
	k      *lease.Keeper
	clock  *timerClock
	st     *procStore
	stop   func()
	frozen bool
}

// world is the replicas, the store and what the test knows of them.
type world struct {
	t       *testing.T
	ctx     context.Context
	rng     *rand.Rand
	clock   *clockwork.FakeClock
	st      *store.Store
	pg      bool
	senders map[string]int64 // lease name to sender ID
	names   []string
	procs   []*proc
	latest  []map[string]*lease.Lease // each replica's last lease of each name
	all     []*lease.Lease            // every lease ever acquired
	owner   map[*lease.Lease]string
	last    map[string]int64              // each name's last token
	flight  map[int64][]broadcast.Message // claimed rows in Sending, by sender
	// count is how often each kind of thing happened, logged at the end
	// to show what a seed exercised.
	count map[string]int
}

func play(t *testing.T, seed uint64, open storetest.Opener, replicas int) {
	clock := clockwork.NewFakeClockAt(t0)
	st := open(t, clock.Now)
	w := &world{t: t, ctx: context.Background(), rng: rand.New(rand.NewPCG(seed, seed^0x5eed)), clock: clock, st: st,
		pg: st.Dialect() == store.Postgres, senders: map[string]int64{}, owner: map[*lease.Lease]string{},
		last: map[string]int64{}, flight: map[int64][]broadcast.Message{}, count: map[string]int{}}
	for _, id := range outbox(t, st, clock.Now(), 2, 40) {
		name := fmt.Sprintf("sender:%d", id)
		w.senders[name] = id
		w.names = append(w.names, name)
	}
	w.names = append(w.names, "poller")
	for i := range replicas {
		w.procs = append(w.procs, nil)
		w.latest = append(w.latest, map[string]*lease.Lease{})
		w.start(i)
	}
	for step := range *stepsFlag {
		w.step(step)
		w.check(step)
		if t.Failed() {
			return
		}
	}
	t.Logf("played %d steps: %v", *stepsFlag, w.count)
}

// start runs a new Keeper for replica i, under the replica's owner name.
func (w *world) start(i int) {
	c := &timerClock{FakeClock: w.clock, timers: clockwork.NewFakeClockAt(w.clock.Now()), changed: make(chan struct{})}
	p := &proc{owner: fmt.Sprintf("r%d", i), clock: c, st: &procStore{Store: w.st}}
	k, err := lease.New(lease.Config{Store: p.st, Owner: p.owner, TTL: ttl, RenewEvery: every, Margin: margin, Clock: c,
		Logger: testLogger(w.t)})
	if err != nil {
		w.t.Fatal(err)
	}
	p.k = k
	ctx, cancel := context.WithCancel(w.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		k.Run(ctx)
	}()
	p.stop = func() {
		cancel()
		select {
		case <-done:
		case <-time.After(wait):
			w.t.Fatalf("%s: Run did not return", p.owner)
		}
	}
	w.t.Cleanup(p.stop)
	c.waitTimers(w.t, 1)
	w.procs[i] = p
}

// catchUp brings a running replica's timers to the clock's time and
// waits for its Keeper to be idle again.
func (w *world) catchUp(p *proc) {
	p.clock.timers.Advance(w.clock.Now().Sub(p.clock.timers.Now()))
	ctx, cancel := context.WithTimeout(w.ctx, wait)
	defer cancel()
	if err := p.clock.timers.BlockUntilContext(ctx, 1); err != nil {
		w.t.Fatalf("%s: Keeper not idle after the clock moved: %v", p.owner, err)
	}
}

// rows returns the unexpired leases the store has now, by name.
func (w *world) rows() map[string]lease.Info {
	ls, err := w.st.Leases(w.ctx, "", w.clock.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[string]lease.Info{}
	for _, l := range ls {
		out[l.Name] = l
	}
	return out
}

// check tests the invariants at the clock's time.
func (w *world) check(step int) {
	now := w.clock.Now()
	rows := w.rows()
	trusting := map[string][]string{}
	for _, l := range w.all {
		if !l.Trusted(now) {
			continue
		}
		w.count["trusted lease checked"]++
		owner := w.owner[l]
		trusting[l.Name] = append(trusting[l.Name], owner)
		if r := rows[l.Name]; r.Owner != owner || r.Token != l.Token || l.Token != w.last[l.Name] {
			w.t.Errorf("step %d: %s trusts %s with token %d; the store has %+v, the last token is %d",
				step, owner, l.Name, l.Token, r, w.last[l.Name])
		}
	}
	for name, owners := range trusting {
		if len(owners) > 1 {
			w.t.Errorf("step %d: %v all trust %s", step, owners, name)
		}
	}
	for _, p := range w.procs {
		if p.frozen {
			continue
		}
		for _, h := range p.k.Held() {
			if !now.Before(h.TrustedUntil) {
				w.t.Errorf("step %d: %s still holds %s, trusted until %v", step, p.owner, h.Name, h.TrustedUntil)
			}
		}
	}
	// Every replica's stale token, whether or not it knows it is stale,
	// claims and settles nothing; nor does the one before the last.
	stale := map[string]map[int64]bool{}
	for name := range w.senders {
		stale[name] = map[int64]bool{}
		if w.last[name] > 1 {
			stale[name][w.last[name]-1] = true
		}
	}
	for _, m := range w.latest {
		for name, l := range m {
			if _, ok := w.senders[name]; ok && l.Token != w.last[name] {
				stale[name][l.Token] = true
			}
		}
	}
	for name, tokens := range stale {
		for token := range tokens {
			w.count["stale token checked"]++
			if w.claim(name, token) {
				w.t.Errorf("step %d: stale token %d of %s (last %d) claimed a row", step, token, name, w.last[name])
			}
			if w.settle(name, token) {
				w.t.Errorf("step %d: stale token %d of %s (last %d) settled a row", step, token, name, w.last[name])
			}
		}
	}
}

// claim tries to claim one queued row of name's sender under token and
// reports whether it did; a claimed row stays in Sending.
func (w *world) claim(name string, token int64) bool {
	id := w.senders[name]
	ms, err := w.st.NextQueued(w.ctx, id, w.clock.Now(), 1)
	if err != nil {
		w.t.Fatal(err)
	}
	if len(ms) == 0 {
		return false
	}
	got, err := w.st.Commit(w.ctx, broadcast.Commit{Now: w.clock.Now(),
		Claims: []broadcast.Claim{{SenderID: id, Token: token, IDs: []int64{ms[0].ID}}}})
	if err != nil {
		w.t.Fatal(err)
	}
	if len(got[0]) == 0 {
		return false
	}
	w.flight[id] = append(w.flight[id], ms[0])
	return true
}

// settle tries to record one of name's rows in Sending as sent under
// token and reports whether it did.
func (w *world) settle(name string, token int64) bool {
	id := w.senders[name]
	if len(w.flight[id]) == 0 {
		return false
	}
	m := w.flight[id][0]
	o := broadcast.Outcome{MessageID: m.ID, BroadcastID: m.BroadcastID, ContactID: m.ContactID, SenderID: m.SenderID,
		Segments: m.Segments, Status: broadcast.MsgSent, ProviderSID: fmt.Sprintf("SM%032x", m.ID), At: w.clock.Now(), Token: token}
	if _, err := w.st.Commit(w.ctx, broadcast.Commit{Now: w.clock.Now(), Outcomes: []broadcast.Outcome{o}}); err != nil {
		w.t.Fatal(err)
	}
	inFlight, err := w.st.SendingOf(w.ctx, id)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, f := range inFlight {
		if f.ID == m.ID {
			return false
		}
	}
	w.flight[id] = w.flight[id][1:]
	return true
}
