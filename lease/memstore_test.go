package lease_test

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"smsbot/lease"
)

// memStore is an in-memory lease.Store that behaves as *store.Store does
// on PostgreSQL: a lease is granted when it is free (expired at the
// acquirer's now, or released) or the acquirer's already; every
// acquisition gives a token one larger than the last, for ever; renewal
// extends only the owner's unexpired leases; release expires a lease only
// for its owner and token. It can fail renewals, and run a hook after
// each call took effect and before it returns (a slow reply advances the
// clock in it, a blocked one waits there).
type memStore struct {
	mu       sync.Mutex
	rows     map[string]lease.Info
	renewErr error
	after    func(op string)
	// renewed receives each RenewLeases call's owner once it returned.
	renewed chan string
}

var _ lease.Store = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{rows: map[string]lease.Info{}, renewed: make(chan string, 1000)}
}

func (s *memStore) hook(op string) {
	s.mu.Lock()
	fn := s.after
	s.mu.Unlock()
	if fn != nil {
		fn(op)
	}
}

// setAfter sets the hook run after each call took effect, outside the
// store's lock.
func (s *memStore) setAfter(fn func(op string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.after = fn
}

// failRenewals makes RenewLeases fail with err (nil: succeed again).
func (s *memStore) failRenewals(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.renewErr = err
}

func (s *memStore) AcquireLease(ctx context.Context, name, owner string, now time.Time, ttl time.Duration) (int64, bool, error) {
	defer s.hook("acquire")
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return 0, false, err
	}
	r, ok := s.rows[name]
	if ok && r.ExpiresAt.After(now) && r.Owner != owner {
		return 0, false, nil
	}
	r = lease.Info{Name: name, Owner: owner, Token: r.Token + 1, AcquiredAt: now, ExpiresAt: now.Add(ttl)}
	s.rows[name] = r
	return r.Token, true, nil
}

func (s *memStore) RenewLeases(ctx context.Context, owner string, now time.Time, ttl time.Duration) (map[string]int64, error) {
	defer func() { s.renewed <- owner }()
	defer s.hook("renew")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.renewErr != nil {
		return nil, s.renewErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for name, r := range s.rows {
		if r.Owner == owner && r.ExpiresAt.After(now) {
			r.ExpiresAt = now.Add(ttl)
			s.rows[name] = r
			out[name] = r.Token
		}
	}
	return out, nil
}

func (s *memStore) ReleaseLease(ctx context.Context, name, owner string, token int64, now time.Time) error {
	defer s.hook("release")
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.rows[name]; ok && r.Owner == owner && r.Token == token {
		r.ExpiresAt = now
		s.rows[name] = r
	}
	return nil
}

func (s *memStore) Leases(ctx context.Context, prefix string, now time.Time) ([]lease.Info, error) {
	defer s.hook("leases")
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []lease.Info
	for _, r := range s.rows {
		if r.ExpiresAt.After(now) && strings.HasPrefix(r.Name, prefix) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// expire ends a lease in the table as its TTL would, behind its holder's
// back (as when the holder's renewals were too late to reach the
// database): another owner may take it.
func (s *memStore) expire(name string, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.rows[name]
	r.ExpiresAt = now
	s.rows[name] = r
}

// row returns the table's row for name, expired or not.
func (s *memStore) row(name string) lease.Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rows[name]
}
