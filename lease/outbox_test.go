package lease_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/lease"
	"smsbot/store"
)

// openSQLite opens a store on a database file of the test's own.
func openSQLite(t *testing.T, now func() time.Time) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{Path: filepath.Join(t.TempDir(), "smsbot.db"), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return st
}

// outbox stores senders (each with perSender queued rows of one broadcast
// that is sending) for fenced writes to be tried on, and returns their
// IDs.
func outbox(t *testing.T, st *store.Store, now time.Time, senders, perSender int) []int64 {
	t.Helper()
	ctx := context.Background()
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	var ids []int64
	for i := range senders {
		s, _, err := st.AddSender(ctx, fmt.Sprintf("+1206555%04d", 100+i), 1, "test")
		must(err, "add sender")
		ids = append(ids, s.ID)
	}
	for i := range senders * perSender {
		_, err := st.AddMember(ctx, "crew", fmt.Sprintf("+1206555%04d", 1000+i), "", "test")
		must(err, "add member")
	}
	l, err := st.ListByName(ctx, "crew")
	must(err, "list")
	info := broadcast.CountSegments("x")
	br, err := st.CreateBroadcast(ctx, broadcast.Broadcast{Body: "x", ListID: l.ID, ListName: l.Name, RequestedBy: "alice",
		Segments: info.Segments, Encoding: info.Encoding})
	must(err, "create broadcast")
	br, err = st.Transition(ctx, br.ID, []broadcast.Status{broadcast.StatusPending}, broadcast.StatusSending, "bob", now)
	must(err, "approve")
	loads, err := st.SenderLoads(ctx)
	must(err, "sender loads")
	bal := broadcast.NewBalancer(loads)
	for after := int64(0); ; {
		last, err := st.QueueBatch(ctx, br, after, 100, bal, nil, now)
		must(err, "queue")
		if last == 0 {
			break
		}
		after = last
	}
	must(st.MarkQueued(ctx, br.ID), "mark queued")
	for _, id := range ids {
		ms, err := st.NextQueued(ctx, id, now, 1000)
		must(err, "next queued")
		if len(ms) != perSender {
			t.Fatalf("sender %d has %d rows queued, want %d", id, len(ms), perSender)
		}
	}
	return ids
}

// errDead is what a crashed process's store calls return.
var errDead = errors.New("process killed")

// procStore is a lease store as one process reaches it: once the process
// is killed, nothing it calls reaches the database (so its leases are
// not released: they expire).
type procStore struct {
	lease.Store
	dead atomic.Bool
}

func (p *procStore) AcquireLease(ctx context.Context, name, owner string, now time.Time, ttl time.Duration) (int64, bool, error) {
	if p.dead.Load() {
		return 0, false, errDead
	}
	return p.Store.AcquireLease(ctx, name, owner, now, ttl)
}

func (p *procStore) RenewLeases(ctx context.Context, owner string, now time.Time, ttl time.Duration) (map[string]int64, error) {
	if p.dead.Load() {
		return nil, errDead
	}
	return p.Store.RenewLeases(ctx, owner, now, ttl)
}

func (p *procStore) ReleaseLease(ctx context.Context, name, owner string, token int64, now time.Time) error {
	if p.dead.Load() {
		return errDead
	}
	return p.Store.ReleaseLease(ctx, name, owner, token, now)
}
