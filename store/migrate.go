package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/uptrace/bun/migrate"
)

// migrateLockKey is the PostgreSQL advisory lock held while migrating, so
// that replicas starting at once migrate one after the other.
const migrateLockKey = "smsbot.migrate"

// migrate runs the pending migrations, one set for both dialects: each
// file is a text/template rendered with the dialect's dialectSQL (types,
// and {{if .PG}} where the syntax differs). Migrations are recorded by
// file name, so a database migrated before the files became templates
// runs none of them again.
func (s *Store) migrate(ctx context.Context) (err error) {
	if s.sql.PG {
		conn, err := s.db.DB.Conn(ctx)
		if err != nil {
			return fmt.Errorf("lock migrations: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(hashtext($1))`, migrateLockKey); err != nil {
			return fmt.Errorf("lock migrations: %w", err)
		}
		defer func() {
			// A fresh context: the lock must go even when ctx ended.
			if _, uerr := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtext($1))`, migrateLockKey); uerr != nil {
				// Closing the connection would keep the lock with the pool:
				// drop it instead, which ends the session and its lock.
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
				err = errors.Join(err, fmt.Errorf("unlock migrations: %w", uerr))
			}
		}()
	}
	ms := migrate.NewMigrations()
	if err := ms.Discover(migrationFiles); err != nil {
		return fmt.Errorf("discover migrations: %w", err)
	}
	m := migrate.NewMigrator(s.db, ms, migrate.WithMarkAppliedOnSuccess(true), migrate.WithTemplateData(s.sql))
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("init migrations: %w", err)
	}
	group, err := m.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if !group.IsZero() {
		s.log.Info("database migrated", "migrations", group.Migrations.String())
	}
	return nil
}
