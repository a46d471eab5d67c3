package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"smsbot/lease"
)

// AcquireLease takes the lease name for owner until now+ttl when it is
// free (expired) or already owner's, and returns its new token, one more
// than the last holder's; ok is false when another owner holds it.
//
// On SQLite a lease is always granted: the database file's lock (see
// NewLock) already makes this process the only one, so a lease left by a
// process that died is taken at once instead of after its TTL.
func (s *Store) AcquireLease(ctx context.Context, name, owner string, now time.Time, ttl time.Duration) (int64, bool, error) {
	now = now.UTC()
	free := `leases.expires_at <= excluded.acquired_at OR leases.owner = excluded.owner`
	if s.sql.dialect == SQLite {
		free = `true`
	}
	var token int64
	err := s.queryRow(ctx, `INSERT INTO leases (name, owner, token, acquired_at, expires_at)
		VALUES (?, ?, 1, ?, ?)
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, token = leases.token + 1,
			acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
		WHERE `+free+`
		RETURNING token`, name, owner, now, now.Add(ttl)).Scan(&token)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	return token, true, nil
}

// RenewLeases extends every unexpired lease of owner to now+ttl in one
// statement and returns them, name to token. A lease owner believes it
// holds but that is missing is lost: it expired and may have been taken.
func (s *Store) RenewLeases(ctx context.Context, owner string, now time.Time, ttl time.Duration) (map[string]int64, error) {
	now = now.UTC()
	rows, err := s.query(ctx, `UPDATE leases SET expires_at = ?
		WHERE owner = ? AND expires_at > ? RETURNING name, token`, now.Add(ttl), owner, now)
	if err != nil {
		return nil, fmt.Errorf("renew leases: %w", err)
	}
	defer rows.Close()
	held := map[string]int64{}
	for rows.Next() {
		var name string
		var token int64
		if err := rows.Scan(&name, &token); err != nil {
			return nil, fmt.Errorf("renew leases: %w", err)
		}
		held[name] = token
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("renew leases: %w", err)
	}
	return held, nil
}

// ReleaseLease expires a lease owner holds with token, so that another
// owner may take it at once. The row stays, and with it the token.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string, token int64, now time.Time) error {
	if _, err := s.exec(ctx, `UPDATE leases SET expires_at = ? WHERE name = ? AND owner = ? AND token = ?`,
		now.UTC(), name, owner, token); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

// Lease returns the lease row name, expired or not; ok is false if it was
// never taken.
func (s *Store) Lease(ctx context.Context, name string) (lease.Info, bool, error) {
	var i lease.Info
	err := s.queryRow(ctx, `SELECT name, owner, token, acquired_at, expires_at FROM leases WHERE name = ?`, name).
		Scan(&i.Name, &i.Owner, &i.Token, &i.AcquiredAt, &i.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return lease.Info{}, false, nil
	}
	if err != nil {
		return lease.Info{}, false, fmt.Errorf("read lease %s: %w", name, err)
	}
	return i, true, nil
}

// Leases returns the unexpired leases whose names start with prefix
// ("" for all), by name.
func (s *Store) Leases(ctx context.Context, prefix string, now time.Time) ([]lease.Info, error) {
	rows, err := s.query(ctx, `SELECT name, owner, token, acquired_at, expires_at FROM leases
		WHERE expires_at > ? AND substr(name, 1, ?) = ? ORDER BY name`, now.UTC(), len(prefix), prefix)
	if err != nil {
		return nil, fmt.Errorf("read leases: %w", err)
	}
	defer rows.Close()
	var out []lease.Info
	for rows.Next() {
		var i lease.Info
		if err := rows.Scan(&i.Name, &i.Owner, &i.Token, &i.AcquiredAt, &i.ExpiresAt); err != nil {
			return nil, fmt.Errorf("read leases: %w", err)
		}
		out = append(out, i)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read leases: %w", err)
	}
	return out, nil
}
