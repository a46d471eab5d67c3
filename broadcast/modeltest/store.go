package modeltest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
)

// errDiskFull is what the engine's writes get while the disk is full.
var errDiskFull = errors.New("modeltest: database or disk is full (SQLITE_FULL)")

// gatedStore is the store as one engine incarnation reaches it: every
// call checks the incarnation's life (a dead engine changes nothing more)
// and counts as real work for the driver; writes fail while the disk is
// full. Methods of broadcast.Store added after this file was written
// reach the store through the embedded interface, ungated.
type gatedStore struct {
	broadcast.Store
	life     *life
	full     func() bool // the disk is full now
	sabotage string      // for this package's tests
	// spin, when set, makes a NextQueued that answers the same rows as
	// the sender's last one take spinDelay of virtual time (see
	// KnownBroken, "claim spin"); clock is the engine's.
	spin  bool
	clock clockwork.Clock
	mu    sync.Mutex
	last  map[int64]string // sender ID → row IDs of its last NextQueued
}

func gated[T any](g *gatedStore, write bool, f func() (T, error)) (T, error) {
	var zero T
	if !g.life.enter() {
		return zero, errKilled
	}
	if write && g.full() {
		if !g.life.leave() {
			return zero, errKilled
		}
		return zero, errDiskFull
	}
	v, err := f()
	if !g.life.leave() {
		return zero, errKilled
	}
	return v, err
}

func gated0(g *gatedStore, write bool, f func() error) error {
	_, err := gated(g, write, func() (struct{}, error) { return struct{}{}, f() })
	return err
}

type pair[A, B any] struct {
	a A
	b B
}

func (g *gatedStore) Senders(ctx context.Context) ([]broadcast.Sender, error) {
	return gated(g, false, func() ([]broadcast.Sender, error) { return g.Store.Senders(ctx) })
}

func (g *gatedStore) AddSender(ctx context.Context, address string, rate float64, actor string) (broadcast.Sender, bool, error) {
	p, err := gated(g, true, func() (pair[broadcast.Sender, bool], error) {
		s, created, err := g.Store.AddSender(ctx, address, rate, actor)
		return pair[broadcast.Sender, bool]{s, created}, err
	})
	return p.a, p.b, err
}

func (g *gatedStore) RemoveSender(ctx context.Context, address, actor string) (int, error) {
	return gated(g, true, func() (int, error) { return g.Store.RemoveSender(ctx, address, actor) })
}

func (g *gatedStore) ListByName(ctx context.Context, name string) (broadcast.List, error) {
	return gated(g, false, func() (broadcast.List, error) { return g.Store.ListByName(ctx, name) })
}

func (g *gatedStore) Audience(ctx context.Context, listID broadcast.Target) (broadcast.Audience, error) {
	return gated(g, false, func() (broadcast.Audience, error) { return g.Store.Audience(ctx, listID) })
}

func (g *gatedStore) CreateBroadcast(ctx context.Context, b broadcast.Broadcast) (broadcast.Broadcast, error) {
	return gated(g, true, func() (broadcast.Broadcast, error) { return g.Store.CreateBroadcast(ctx, b) })
}

func (g *gatedStore) Broadcast(ctx context.Context, id int64) (broadcast.Broadcast, error) {
	return gated(g, false, func() (broadcast.Broadcast, error) { return g.Store.Broadcast(ctx, id) })
}

func (g *gatedStore) RecentBroadcasts(ctx context.Context, limit int) ([]broadcast.Broadcast, error) {
	return gated(g, false, func() ([]broadcast.Broadcast, error) { return g.Store.RecentBroadcasts(ctx, limit) })
}

func (g *gatedStore) UnfinishedBroadcasts(ctx context.Context) ([]broadcast.Broadcast, error) {
	return gated(g, false, func() ([]broadcast.Broadcast, error) { return g.Store.UnfinishedBroadcasts(ctx) })
}

func (g *gatedStore) Transition(ctx context.Context, id int64, from []broadcast.Status, to broadcast.Status, actor string, now time.Time) (broadcast.Broadcast, error) {
	return gated(g, true, func() (broadcast.Broadcast, error) { return g.Store.Transition(ctx, id, from, to, actor, now) })
}

func (g *gatedStore) SenderLoads(ctx context.Context) (map[int64]broadcast.Load, error) {
	return gated(g, false, func() (map[int64]broadcast.Load, error) { return g.Store.SenderLoads(ctx) })
}

func (g *gatedStore) QueueBatch(ctx context.Context, b broadcast.Broadcast, after int64, limit int, bal *broadcast.Balancer, tmpl *broadcast.Template, now time.Time) (int64, error) {
	return gated(g, true, func() (int64, error) { return g.Store.QueueBatch(ctx, b, after, limit, bal, tmpl, now) })
}

func (g *gatedStore) EachRecipient(ctx context.Context, listID broadcast.Target, fn func(broadcast.Contact) error) error {
	return gated0(g, false, func() error { return g.Store.EachRecipient(ctx, listID, fn) })
}

func (g *gatedStore) MarkQueued(ctx context.Context, id int64) error {
	return gated0(g, true, func() error { return g.Store.MarkQueued(ctx, id) })
}

func (g *gatedStore) NextQueued(ctx context.Context, senderID int64, now time.Time, limit int) ([]broadcast.Message, error) {
	if g.sabotage == "strand" {
		return nil, nil // a store that never gives out queued texts
	}
	rows, err := gated(g, false, func() ([]broadcast.Message, error) { return g.Store.NextQueued(ctx, senderID, now, limit) })
	if g.spin && err == nil && g.repeated(senderID, rows) {
		select {
		case <-g.clock.After(spinDelay):
		case <-ctx.Done():
		}
	}
	return rows, err
}

// spinDelay is how much virtual time a repeated NextQueued takes with
// the "claim spin" workaround: in real time the loop's round trips to
// the database let the engine's next sync come, in virtual time nothing
// would.
const spinDelay = 50 * time.Millisecond

// repeated records rows as the sender's last answer and reports whether
// it is the same, not empty, as the one before.
func (g *gatedStore) repeated(senderID int64, rows []broadcast.Message) bool {
	var b strings.Builder
	for _, m := range rows {
		fmt.Fprintf(&b, "%d,", m.ID)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.last == nil {
		g.last = map[int64]string{}
	}
	same := len(rows) > 0 && g.last[senderID] == b.String()
	g.last[senderID] = b.String()
	return same
}

func (g *gatedStore) NextDue(ctx context.Context, senderID int64) (time.Time, bool, error) {
	if g.sabotage == "strand" {
		return time.Time{}, false, nil
	}
	p, err := gated(g, false, func() (pair[time.Time, bool], error) {
		t, ok, err := g.Store.NextDue(ctx, senderID)
		return pair[time.Time, bool]{t, ok}, err
	})
	return p.a, p.b, err
}

func (g *gatedStore) Sending(ctx context.Context) ([]broadcast.Message, error) {
	return gated(g, false, func() ([]broadcast.Message, error) { return g.Store.Sending(ctx) })
}

func (g *gatedStore) KnownSID(ctx context.Context, sid string) (bool, error) {
	return gated(g, false, func() (bool, error) { return g.Store.KnownSID(ctx, sid) })
}

func (g *gatedStore) Commit(ctx context.Context, c broadcast.Commit) ([][]int64, error) {
	if g.sabotage == "stall" {
		c.Outcomes = nil // a store that loses outcomes
	}
	return gated(g, true, func() ([][]int64, error) { return g.Store.Commit(ctx, c) })
}

func (g *gatedStore) RemainingBySender(ctx context.Context, id int64) (map[int64]int, error) {
	return gated(g, false, func() (map[int64]int, error) { return g.Store.RemainingBySender(ctx, id) })
}

func (g *gatedStore) Counts(ctx context.Context, id int64) (broadcast.Counts, error) {
	c, err := gated(g, false, func() (broadcast.Counts, error) { return g.Store.Counts(ctx, id) })
	if g.sabotage == "miscount" && c.Total > 0 {
		c.Sent++ // a store that counts wrong
	}
	return c, err
}

func (g *gatedStore) Reasons(ctx context.Context, id int64) ([]broadcast.Reason, error) {
	return gated(g, false, func() ([]broadcast.Reason, error) { return g.Store.Reasons(ctx, id) })
}

func (g *gatedStore) StickySender(ctx context.Context, phone string) (broadcast.Contact, broadcast.Sender, error) {
	p, err := gated(g, true, func() (pair[broadcast.Contact, broadcast.Sender], error) {
		c, s, err := g.Store.StickySender(ctx, phone)
		return pair[broadcast.Contact, broadcast.Sender]{c, s}, err
	})
	return p.a, p.b, err
}

func (g *gatedStore) RecordReply(ctx context.Context, r broadcast.Reply) error {
	return gated0(g, true, func() error { return g.Store.RecordReply(ctx, r) })
}
