package modeltest

import (
	"context"
	"time"

	"smsbot/broadcast"
	"smsbot/lease"
)

// The lease table and the store's newer methods, gated like the rest (see
// gatedStore): a killed engine's Keeper renews nothing more, so its
// leases expire on the virtual clock and another engine takes them over.
// The lease writes fail while the disk is full, as the database's would.

var _ broadcast.Store = (*gatedStore)(nil)

// skew is how far behind the others the clock of an odd-numbered engine
// is under the "skew" sabotage: its leases expire in the database, for
// the others, before it stops trusting them.
const skew = 6 * time.Second

func (g *gatedStore) AcquireLease(ctx context.Context, name, owner string, now time.Time, ttl time.Duration) (int64, bool, error) {
	if g.sabotage == "skew" && g.life.gen%2 == 1 {
		now = now.Add(-skew)
	}
	p, err := gated(g, true, func() (pair[int64, bool], error) {
		token, ok, err := g.Store.AcquireLease(ctx, name, owner, now, ttl)
		return pair[int64, bool]{token, ok}, err
	})
	return p.a, p.b, err
}

func (g *gatedStore) RenewLeases(ctx context.Context, owner string, now time.Time, ttl time.Duration) (map[string]int64, error) {
	if g.sabotage == "skew" && g.life.gen%2 == 1 {
		now = now.Add(-skew)
	}
	return gated(g, true, func() (map[string]int64, error) { return g.Store.RenewLeases(ctx, owner, now, ttl) })
}

func (g *gatedStore) ReleaseLease(ctx context.Context, name, owner string, token int64, now time.Time) error {
	return gated0(g, true, func() error { return g.Store.ReleaseLease(ctx, name, owner, token, now) })
}

func (g *gatedStore) Leases(ctx context.Context, prefix string, now time.Time) ([]lease.Info, error) {
	return gated(g, false, func() ([]lease.Info, error) { return g.Store.Leases(ctx, prefix, now) })
}

func (g *gatedStore) Lease(ctx context.Context, name string) (lease.Info, bool, error) {
	p, err := gated(g, false, func() (pair[lease.Info, bool], error) {
		i, ok, err := g.Store.Lease(ctx, name)
		return pair[lease.Info, bool]{i, ok}, err
	})
	return p.a, p.b, err
}

func (g *gatedStore) SendingOf(ctx context.Context, senderID int64) ([]broadcast.Message, error) {
	return gated(g, false, func() ([]broadcast.Message, error) { return g.Store.SendingOf(ctx, senderID) })
}

func (g *gatedStore) SkippedMembers(ctx context.Context, listID broadcast.Target, limit int) ([]broadcast.Contact, error) {
	return gated(g, false, func() ([]broadcast.Contact, error) { return g.Store.SkippedMembers(ctx, listID, limit) })
}

func (g *gatedStore) SentToList(ctx context.Context, listID int64, since time.Time) ([]broadcast.Broadcast, error) {
	return gated(g, false, func() ([]broadcast.Broadcast, error) { return g.Store.SentToList(ctx, listID, since) })
}
