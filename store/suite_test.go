package store_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"smsbot/store"
	"smsbot/store/storetest"
)

// TestSuite runs the store's behaviour suite on SQLite, each test on a
// database file of its own.
func TestSuite(t *testing.T) {
	storetest.Run(t, openSQLite)
}

// TestSuitePostgres runs the same suite on PostgreSQL, each test on a
// schema of its own in the database SMSBOT_TEST_POSTGRES names. Without
// it the test is skipped, saying how to run it; under CI it fails.
func TestSuitePostgres(t *testing.T) {
	storetest.Postgres(t) // skips or fails here, once, without the database
	storetest.Run(t, storetest.OpenPostgres)
}

// openSQLite is the suite's Opener for SQLite.
func openSQLite(t *testing.T, now func() time.Time) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{Path: filepath.Join(t.TempDir(), "smsbot.db"), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return st
}

// Replicas starting at once on a new PostgreSQL database migrate one
// after the other (an advisory lock): each opens, and every migration is
// recorded once.
func TestPostgresOpenedAtOnceMigratesOnce(t *testing.T) {
	dsn := storetest.Postgres(t)
	stores := make([]*store.Store, 4)
	errs := make([]error, 4)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range stores {
		wg.Go(func() {
			<-start
			stores[i], errs[i] = store.Open(context.Background(), store.Config{Path: dsn})
		})
	}
	close(start)
	wg.Wait()
	for i, st := range stores {
		if errs[i] != nil {
			t.Errorf("open %d: %v", i, errs[i])
			continue
		}
		t.Cleanup(func() { st.Close() })
	}
	if t.Failed() {
		return
	}
	var names, distinct int
	if err := stores[0].DB().QueryRowContext(context.Background(),
		`SELECT COUNT(*), COUNT(DISTINCT name) FROM bun_migrations`).Scan(&names, &distinct); err != nil {
		t.Fatal(err)
	}
	if names != distinct || names == 0 {
		t.Fatalf("%d migrations recorded, %d distinct; want each once", names, distinct)
	}
	if d := stores[0].Dialect(); d != store.Postgres {
		t.Fatalf("Dialect() = %q", d)
	}
}
