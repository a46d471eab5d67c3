package store_test

import (
	"context"
	"path/filepath"
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
