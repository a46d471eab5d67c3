package bot_test

import (
	"context"
	"fmt"
	"testing"

	"smsbot/bot"
)

// TestConfirmationsHaveCancel: the delete-list and forget confirmations
// have a Cancel button that changes nothing and replaces the confirmation
// with what was kept. Before, there was only the Danger button.
func TestConfirmationsHaveCancel(t *testing.T) {
	b := setup(t, "alice")
	b.do("alice", "add crew +12065550001 Ada")
	for _, tt := range []struct{ cmd, want string }{
		{"lists delete crew", "Kept crew. Cancelled by alice."},
		{"forget +12065550001", "Nothing forgotten. Cancelled by alice."},
	} {
		ask := b.do("alice", tt.cmd)
		if len(ask) != 1 || len(ask[0].Buttons) != 2 || ask[0].Buttons[1].Label != "Cancel" || ask[0].Buttons[1].Style == bot.Danger {
			t.Fatalf("%s: confirmation %+v", tt.cmd, ask)
		}
		cancel := ask[0].Buttons[1].Action
		conv := &updates{n: map[bot.Ref][]bot.Message{}}
		before := b.rows(t)
		if posts, edits := b.clickOn("mallory", cancel, conv); len(posts) != 1 || len(edits) != 0 {
			t.Fatalf("%s: a non-admin's Cancel: %+v %+v", tt.cmd, posts, edits)
		}
		posts, edits := b.clickOn("alice", cancel, conv)
		if len(posts) != 0 || len(edits) != 1 || edits[0].Text != tt.want || len(edits[0].Buttons) != 0 {
			t.Fatalf("%s: Cancel: posts %+v, edits %+v", tt.cmd, posts, edits)
		}
		if after := b.rows(t); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("%s: Cancel changed rows: %v → %v", tt.cmd, before, after)
		}
	}
	if _, err := b.store.Contact(context.Background(), "+12065550001"); err != nil {
		t.Fatal(err)
	}
}
