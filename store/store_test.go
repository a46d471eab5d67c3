package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"smsbot/store"
)

// The store's behaviour is tested by the suite in storetest (suite_test.go
// runs it); the tests here are SQLite's own.

func open(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{Path: path})
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

func TestOpenMigratesOnceAndSetsPragmas(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "smsbot.db")
	first := open(t, path)
	if _, err := first.AddMember(ctx, "crew", "+12065550001", "Ada", "test"); err != nil {
		t.Fatal(err)
	}
	var applied int
	if err := first.DB().NewRaw("SELECT COUNT(*) FROM bun_migrations").Scan(ctx, &applied); err != nil || applied == 0 {
		t.Fatalf("%d migrations recorded: %v", applied, err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	st := open(t, path) // reopening migrates nothing and keeps the data
	var again int
	if err := st.DB().NewRaw("SELECT COUNT(*) FROM bun_migrations").Scan(ctx, &again); err != nil || again != applied {
		t.Fatalf("%d migrations recorded after reopening, %d before: %v", again, applied, err)
	}
	if c, err := st.Contact(ctx, "+12065550001"); err != nil || c.Name != "Ada" {
		t.Fatalf("contact after reopen: %+v, %v", c, err)
	}
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000"} {
		var got string
		if err := st.DB().NewRaw("PRAGMA "+pragma).Scan(ctx, &got); err != nil || got != want {
			t.Errorf("PRAGMA %s = %q (%v), want %q", pragma, got, err, want)
		}
	}
}

func TestOpenRefusesBadConfig(t *testing.T) {
	if _, err := store.Open(context.Background(), store.Config{}); err == nil {
		t.Fatal("Open without a path succeeded")
	}
	notADir := filepath.Join(t.TempDir(), "missing", "smsbot.db")
	if st, err := store.Open(context.Background(), store.Config{Path: notADir}); err == nil {
		st.Close()
		t.Fatalf("Open in a missing directory succeeded")
	}
}
