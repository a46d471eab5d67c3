// Package store keeps smsbot's state in SQLite through Bun: senders,
// contacts, lists, sticky sender assignments, broadcasts, the durable
// outbox and the audit log. *Store implements broadcast.Store.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/migrate"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"

	"smsbot/broadcast"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Config configures a Store.
type Config struct {
	// Path is the SQLite database file; it is created if missing.
	Path string
	// Now returns the current time (default time.Now).
	Now func() time.Time
	// Logger receives migration notes (default: discard).
	Logger *slog.Logger
}

// Store is smsbot's SQLite database. It is safe for concurrent use.
type Store struct {
	db    *bun.DB
	now   func() time.Time
	log   *slog.Logger
	stmts stmts
}

var _ broadcast.Store = (*Store)(nil)

// Open opens (creating if needed) the database at cfg.Path and runs any
// pending migrations. SQLite runs in WAL mode with a busy timeout and
// foreign keys on.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Path == "" {
		return nil, errors.New("store: Config.Path is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)", "temp_store(MEMORY)", "cache_size(-16000)"} {
		q.Add("_pragma", p)
	}
	// Writers take the lock when they begin, so two transactions never
	// deadlock upgrading from read to write.
	q.Set("_txlock", "immediate")
	// Times bound by the driver are written the way Bun writes them, so
	// stored times compare correctly as text.
	q.Set("_time_format", "sqlite")
	sqldb, err := sql.Open("sqlite", "file:"+cfg.Path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", cfg.Path, err)
	}
	sqldb.SetMaxOpenConns(8)
	s := &Store{db: bun.NewDB(sqldb, sqlitedialect.New()), now: cfg.Now, log: cfg.Logger.With("component", "store")}
	if err := s.migrate(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open database %s: %w", cfg.Path, err)
	}
	if err := s.prepare(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open database %s: %w", cfg.Path, err)
	}
	return s, nil
}

func (s *Store) migrate(ctx context.Context) error {
	ms := migrate.NewMigrations()
	if err := ms.Discover(migrationFiles); err != nil {
		return fmt.Errorf("discover migrations: %w", err)
	}
	m := migrate.NewMigrator(s.db, ms, migrate.WithMarkAppliedOnSuccess(true))
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

// Close closes the database.
func (s *Store) Close() error { return errors.Join(s.stmts.close(), s.db.Close()) }

// DB returns the Bun handle, for tests and tools.
func (s *Store) DB() *bun.DB { return s.db }

// nowUTC is the store's clock in UTC, the zone every stored time uses.
func (s *Store) nowUTC() time.Time { return s.now().UTC() }

// audit records who did what, inside the caller's transaction.
func audit(ctx context.Context, tx bun.IDB, at time.Time, actor, action, subject, detail string) error {
	_, err := tx.NewInsert().Model(&auditEntry{At: at.UTC(), Actor: actor, Action: action, Subject: subject, Detail: detail}).Exec(ctx)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	At      time.Time
	Actor   string
	Action  string
	Subject string
	Detail  string
}

// Audit returns the newest audit entries first.
func (s *Store) Audit(ctx context.Context, limit int) ([]AuditEntry, error) {
	var rows []auditEntry
	if err := s.db.NewSelect().Model(&rows).Order("id DESC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	out := make([]AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = AuditEntry{At: r.At, Actor: r.Actor, Action: r.Action, Subject: r.Subject, Detail: r.Detail}
	}
	return out, nil
}
