package bot_test

import (
	"context"
	"testing"
)

// TestAddUpdatesAKnownContactsName: /sms add with a new name renames the
// contact and says so; the same name, or none, changes nothing.
func TestAddUpdatesAKnownContactsName(t *testing.T) {
	b := setup(t, "alice")
	tests := []struct{ cmd, want string }{
		{"add crew +12065550100 Robert", "Created list crew; added Robert (+12065550100) to crew."},
		{"add crew +12065550100 Bob", "+12065550100 was already on crew; updated Bob's name (was Robert)."},
		{"add board +1 206 555 0100 Bob", "Created list board; added Bob (+12065550100) to board."},
		{"add board +12065550100", "+12065550100 was already on board."},
		{"add friends +12065550100 Robert  Smith", "Created list friends; added Robert Smith (+12065550100) to friends; updated Robert Smith's name (was Bob)."},
	}
	for _, tt := range tests {
		posts := b.do("alice", tt.cmd)
		if len(posts) != 1 || posts[0].Text != tt.want {
			t.Errorf("%q answered %+v, want %q", tt.cmd, posts, tt.want)
		}
	}
	entries, err := b.store.Audit(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	renames := 0
	for _, e := range entries {
		if e.Action == "contact.rename" {
			renames++
			if e.Detail != "" {
				t.Errorf("the audit keeps a name: %+v", e)
			}
		}
	}
	if renames != 2 {
		t.Errorf("%d contact.rename entries, want 2: %+v", renames, entries)
	}
}
