// Package leasetest is a lease.Store in memory for tests of lease
// holders: the lease table as PostgreSQL keeps it, where a lease another
// owner holds is refused until it expires or is released (the SQLite
// store grants every lease, its file lock making one process).
package leasetest

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"smsbot/lease"
)

var _ lease.Store = (*Store)(nil)

// Store is the lease table in memory, as PostgreSQL keeps it (store.AcquireLease
// on SQLite grants every lease, its file lock making one process): a
// lease held by another owner is refused until it expires or is released.
type Store struct {
	mu   sync.Mutex
	rows map[string]lease.Info
}

// NewStore returns an empty lease table.
func NewStore() *Store { return &Store{rows: map[string]lease.Info{}} }

// AcquireLease grants name to owner if it is free, expired or owner's,
// with the next token.
func (m *Store) AcquireLease(_ context.Context, name, owner string, now time.Time, ttl time.Duration) (int64, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	row, ok := m.rows[name]
	if ok && row.ExpiresAt.After(now) && row.Owner != owner {
		return 0, false, nil
	}
	m.rows[name] = lease.Info{Name: name, Owner: owner, Token: row.Token + 1, AcquiredAt: now, ExpiresAt: now.Add(ttl)}
	return row.Token + 1, true, nil
}

// RenewLeases extends owner's unexpired leases.
func (m *Store) RenewLeases(_ context.Context, owner string, now time.Time, ttl time.Duration) (map[string]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	held := map[string]int64{}
	for name, row := range m.rows {
		if row.Owner == owner && row.ExpiresAt.After(now) {
			row.ExpiresAt = now.Add(ttl)
			m.rows[name] = row
			held[name] = row.Token
		}
	}
	return held, nil
}

// ReleaseLease expires a lease owner holds with token.
func (m *Store) ReleaseLease(_ context.Context, name, owner string, token int64, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if row, ok := m.rows[name]; ok && row.Owner == owner && row.Token == token {
		row.ExpiresAt = now
		m.rows[name] = row
	}
	return nil
}

// Leases lists the unexpired leases whose names start with prefix.
func (m *Store) Leases(_ context.Context, prefix string, now time.Time) ([]lease.Info, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []lease.Info
	for name, row := range m.rows {
		if strings.HasPrefix(name, prefix) && row.ExpiresAt.After(now) {
			out = append(out, row)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
