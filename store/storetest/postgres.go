package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"smsbot/store"
)

// PostgresEnv is the environment variable holding the DSN of the
// PostgreSQL database the tests may use (each test makes a schema of its
// own in it): SMSBOT_TEST_POSTGRES. .ci/run sets it.
const PostgresEnv = "SMSBOT_TEST_POSTGRES"

// howToRun says how to run the PostgreSQL tests, for a skip or failure.
const howToRun = PostgresEnv + ` is not set: to run the PostgreSQL tests, start PostgreSQL ` +
	`(sudo pg_ctlcluster 15 main start), create a role and database (see README, Development) and ` +
	`export ` + PostgresEnv + `='postgres://smsbot:smsbot@127.0.0.1:5432/smsbot_test?sslmode=disable'`

// Postgres returns the DSN of a new, empty schema of its own in the
// database named by SMSBOT_TEST_POSTGRES (its search_path is the schema,
// and synchronous_commit is off unless the variable sets it), dropped with
// everything in it when the test ends. Without the variable
// the test is skipped, saying how to run it, except under CI (CI set),
// where it fails: CI must run the PostgreSQL tests for real.
func Postgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but " + howToRun)
		}
		t.Skip(howToRun)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	var rnd [6]byte
	rand.Read(rnd[:])
	schema := "smsbot_test_" + hex.EncodeToString(rnd[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", u.Redacted(), err)
	}
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema in %s: %v", u.Redacted(), err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	if !q.Has("synchronous_commit") {
		// Commits do not wait for the WAL to reach the disk: a test never
		// outlives a crash of the server, and on a busy machine this
		// halves the suite's time.
		q.Set("synchronous_commit", "off")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// OpenPostgres is the suite's Opener for PostgreSQL: a store on a schema
// of its own (Postgres), with a small pool so that parallel tests stay
// under the server's max_connections, closed when the test ends.
func OpenPostgres(t *testing.T, now func() time.Time) *store.Store {
	t.Helper()
	dsn := Postgres(t)
	st, err := store.Open(context.Background(), store.Config{Path: dsn, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	st.DB().SetMaxOpenConns(4)
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return st
}
