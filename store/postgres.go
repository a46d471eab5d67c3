package store

import (
	"database/sql"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

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
	return db, nil
}
