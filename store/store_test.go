package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"smsbot/broadcast"
	"smsbot/store"
)

func open(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestOpenMigratesOnceAndSetsPragmas(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "smsbot.db")
	first := open(t, path)
	if _, err := first.AddMember(ctx, "crew", "+12065550001", "Ada", "test"); err != nil {
		t.Fatal(err)
	}
	first.Close()
	st := open(t, path) // reopening migrates nothing and keeps the data
	var applied int
	if err := st.DB().NewRaw("SELECT COUNT(*) FROM bun_migrations").Scan(ctx, &applied); err != nil || applied == 0 {
		t.Fatalf("%d migrations recorded: %v", applied, err)
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

func TestSendersNeverMoveContactsWhenAdded(t *testing.T) {
	ctx := context.Background()
	st := open(t, filepath.Join(t.TempDir(), "smsbot.db"))
	a, created, err := st.AddSender(ctx, "+12065550101", 1, "test")
	if err != nil || !created {
		t.Fatal(err)
	}
	if _, err := st.AddMember(ctx, "crew", "+12065550001", "", "test"); err != nil {
		t.Fatal(err)
	}
	c, s, err := st.StickySender(ctx, "+12065550001")
	if err != nil || s.ID != a.ID {
		t.Fatalf("sticky sender = %+v, %v", s, err)
	}
	// Adding the same number again (the old tool's bug) changes its rate only.
	again, created, err := st.AddSender(ctx, "+12065550101", 3, "test")
	if err != nil || created || again.ID != a.ID || again.Rate != 3 {
		t.Fatalf("re-add = %+v created %v, %v", again, created, err)
	}
	st.AddSender(ctx, "+12065550102", 1, "test")
	if _, s, _ := st.StickySender(ctx, c.Phone); s.ID != a.ID {
		t.Fatalf("contact moved to %s when a sender was added", s.Address)
	}
	// Removing the only other sender is fine; removing the last one with
	// texts queued on it is refused.
	if _, err := st.RemoveSender(ctx, "+12065550102", "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RemoveSender(ctx, "+12065550102", "test"); broadcast.ErrorCode(err) != broadcast.ENOTFOUND {
		t.Fatalf("second removal: %v", err)
	}
}

func TestTransitionConflicts(t *testing.T) {
	ctx := context.Background()
	st := open(t, filepath.Join(t.TempDir(), "smsbot.db"))
	st.AddMember(ctx, "crew", "+12065550001", "", "test")
	b, err := st.CreateBroadcast(ctx, broadcast.Broadcast{Body: "x", ListID: 1, RequestedBy: "alice", Segments: 1, Encoding: broadcast.GSM7})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Transition(ctx, b.ID, []broadcast.Status{broadcast.StatusPending}, broadcast.StatusSending, "bob", b.CreatedAt); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Transition(ctx, b.ID, []broadcast.Status{broadcast.StatusPending}, broadcast.StatusSending, "carol", b.CreatedAt); broadcast.ErrorCode(err) != broadcast.ECONFLICT {
		t.Fatalf("second approval: %v", err)
	}
	got, _ := st.Broadcast(ctx, b.ID)
	if got.ApprovedBy != "bob" {
		t.Fatalf("approved by %q after a refused second approval", got.ApprovedBy)
	}
	if _, err := st.Transition(ctx, 99, []broadcast.Status{broadcast.StatusPending}, broadcast.StatusSending, "bob", b.CreatedAt); broadcast.ErrorCode(err) != broadcast.ENOTFOUND {
		t.Fatalf("unknown broadcast: %v", err)
	}
}
