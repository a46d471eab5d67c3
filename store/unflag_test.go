package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"smsbot/store"
)

// Contacts an earlier version flagged invalid for a 30003 (temporary) are
// unflagged by migration 13; other reasons stay.
func TestMigrationUnflagsTemporaryFailures(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "smsbot.db")
	st := open(t, path)
	for _, p := range []string{"+12065550001", "+12065550002"} {
		if _, err := st.AddMember(ctx, "crew", p, "", "test"); err != nil {
			t.Fatal(err)
		}
	}
	// As the earlier version left them, before migration 13 had run.
	db := st.DB()
	for _, q := range []string{
		`UPDATE contacts SET invalid_reason = '30003 unreachable: phone off or out of coverage, may be temporary' WHERE phone = '+12065550001'`,
		`UPDATE contacts SET invalid_reason = '30006 landline or unreachable carrier' WHERE phone = '+12065550002'`,
		`DELETE FROM bun_migrations WHERE name = '20261201000013'`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := store.Open(ctx, store.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	for p, want := range map[string]string{"+12065550001": "", "+12065550002": "30006 landline or unreachable carrier"} {
		c, err := again.Contact(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if c.InvalidReason != want {
			t.Errorf("%s: invalid %q, want %q", p, c.InvalidReason, want)
		}
	}
}
