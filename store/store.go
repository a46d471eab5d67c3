// Package store keeps smsbot's state in SQLite or PostgreSQL through Bun: senders,
// contacts, lists, sticky sender assignments, broadcasts, the durable
// outbox and the audit log. *Store implements broadcast.Store.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/migrate"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"

	"smsbot/broadcast"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Config configures a Store.
type Config struct {
	// Path is the SQLite database file, created if missing, or a
	// PostgreSQL DSN (postgres://… or postgresql://…, see IsPostgres).
	Path string
	// Now returns the current time (default time.Now).
	Now func() time.Time
	// Logger receives migration notes (default: discard).
	Logger *slog.Logger
}

// Store is smsbot's database, SQLite or PostgreSQL. It is safe for
// concurrent use.
type Store struct {
	db    *bun.DB
	sql   dialectSQL
	now   func() time.Time
	log   *slog.Logger
	stmts stmts
}

var _ broadcast.Store = (*Store)(nil)

// Open opens the database at cfg.Path and runs any pending migrations. A
// PostgreSQL DSN (IsPostgres) opens PostgreSQL through pgx; anything else
// is a SQLite file, created if missing, in WAL mode with a busy timeout
// and foreign keys on.
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
	s := &Store{now: cfg.Now, log: cfg.Logger.With("component", "store")}
	name := cfg.Path
	if IsPostgres(cfg.Path) {
		name = RedactDSN(cfg.Path)
		sqldb, err := openPostgres(cfg.Path)
		if err != nil {
			return nil, fmt.Errorf("open database %s: %w", name, err)
		}
		s.db, s.sql = bun.NewDB(sqldb, pgdialect.New()), postgresSQL
	} else {
		sqldb, err := sql.Open("sqlite", sqliteDSN(cfg.Path))
		if err != nil {
			return nil, fmt.Errorf("open database %s: %w", name, err)
		}
		sqldb.SetMaxOpenConns(8)
		s.db, s.sql = bun.NewDB(sqldb, sqlitedialect.New()), sqliteSQL
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open database %s: %w", name, err)
	}
	if err := s.prepare(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open database %s: %w", name, err)
	}
	return s, nil
}

// sqliteDSN is the modernc driver's name for the file at path, with the
// store's pragmas.
func sqliteDSN(path string) string {
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
	return "file:" + path + "?" + q.Encode()
}

// RedactDSN is SMSBOT_DB as it may be shown: a PostgreSQL DSN without its
// password (for errors, logs, the banner and -h), a SQLite path as it is.
func RedactDSN(dsn string) string {
	if !IsPostgres(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "the PostgreSQL database"
	}
	return u.Redacted()
}

// openPostgres opens the PostgreSQL database of dsn through pgx's
// database/sql driver (pgx rather than Bun's pgdriver: it matches Bun's
// version, verifies TLS as libpq's sslmode says, and reports SQLSTATE
// codes). A DSN pgx cannot read is refused here, not at first use.
func openPostgres(dsn string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(16)
	// Keep them all open: database/sql keeps 2 idle by default, and a
	// PostgreSQL connection costs a backend process to open, which a busy
	// engine would otherwise do for most of its statements.
	db.SetMaxIdleConns(16)
	return db, nil
}

// migrateLockKey, with the schema's name, is the PostgreSQL advisory lock
// held while migrating, so that replicas starting at once on one schema
// migrate one after the other (stores on other schemas need not wait).
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
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(hashtext($1 || coalesce(current_schema(), '')))`, migrateLockKey); err != nil {
			return fmt.Errorf("lock migrations: %w", err)
		}
		defer func() {
			// A fresh context: the lock must go even when ctx ended.
			if _, uerr := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtext($1 || coalesce(current_schema(), '')))`, migrateLockKey); uerr != nil {
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
