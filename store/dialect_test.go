package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDollarPlaceholders(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`WHERE a = ? AND b IN (?, ?)`, `WHERE a = $1 AND b IN ($2, $3)`},
		{`SET s = CASE WHEN ?1 = 'queued' THEN 'x' ELSE ?1 END, t = ?12`, `SET s = CASE WHEN $1 = 'queued' THEN 'x' ELSE $1 END, t = $12`},
		{`WHERE a = '?' AND "b?" = ? AND c = 'it''s ?'`, `WHERE a = '?' AND "b?" = $1 AND c = 'it''s ?'`},
		{sqliteSQL.claimSQL(), ""},
	} {
		got := dollarPlaceholders(c.in)
		if c.want == "" {
			if strings.Contains(got, "?") {
				t.Errorf("dollarPlaceholders left a ? in %s", got)
			}
			continue
		}
		if got != c.want {
			t.Errorf("dollarPlaceholders(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A DSN pgx cannot read is refused at Open, named without its password.
func TestOpenRefusesBadPostgresDSN(t *testing.T) {
	_, err := Open(context.Background(), Config{Path: "postgres://u:secret@127.0.0.1:5432/db?sslmode=bogus"})
	if err == nil || strings.Contains(err.Error(), "secret") || !strings.Contains(err.Error(), "postgres://u:xxxxx@127.0.0.1:5432/db") {
		t.Fatalf("Open = %v; want a refusal naming the DSN without its password", err)
	}
}

// SQL through database/sql directly takes the driver's placeholders (? on
// SQLite, $n on PostgreSQL), and JSON arrays are read differently: both
// must go through the dialect (s.query, s.queryRow, s.exec, dialectSQL),
// or the store works on SQLite only.
func TestNoSQLiteOnlyStatements(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "dialect.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			for _, bad := range []string{"s.db.DB.QueryContext(", "s.db.DB.QueryRowContext(", "s.db.DB.ExecContext(", "json_each(", "json_patch(", "COLLATE NOCASE"} {
				if strings.Contains(line, bad) {
					t.Errorf("%s:%d: %s runs on SQLite only; use the dialect's (dialect.go)", f, i+1, bad)
				}
			}
		}
	}
}
