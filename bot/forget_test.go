package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"smsbot/bot"
)

func TestForgetAfterConfirmation(t *testing.T) {
	b := setup(t, "alice", "bob")
	ctx := context.Background()
	b.do("alice", "numbers add +12065550101 100")
	b.do("alice", "add crew +12065550001 Ada")
	b.do("alice", "add board +12065550001")
	b.do("alice", "send crew hello")
	b.click("alice", "approve:1")
	b.waitDone(t, 1)
	b.refused(t, "mallory", "forget +12065550001", "only smsbot admins")
	b.refused(t, "alice", "forget +12065550009", "+12065550009 is not a known contact")
	b.refused(t, "alice", "forget", "usage: /sms forget <phone>")
	before := b.rows(t)
	ask := b.do("alice", "forget (206) 555-0001")
	if len(ask) != 1 || ask[0].Title != "Forget Ada (+12065550001)?" || len(ask[0].Buttons) != 2 || ask[0].Buttons[0].Style != bot.Danger ||
		!strings.Contains(ask[0].Text, "off 2 lists (board, crew)") || !strings.Contains(ask[0].Text, "Their opt-out goes too") {
		t.Fatalf("confirmation: %+v", ask)
	}
	if after := b.rows(t); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("asking changed rows: %v → %v", before, after)
	}
	conv := &updates{n: map[bot.Ref][]bot.Message{}}
	act := ask[0].Buttons[0].Action
	if posts, edits := b.clickOn("mallory", act, conv); len(posts) != 1 || !strings.Contains(posts[0].Text, "only smsbot admins") || len(edits) != 0 {
		t.Fatalf("a non-admin's click: %+v %+v", posts, edits)
	}
	posts, edits := b.clickOn("bob", act, conv)
	if len(posts) != 0 || len(edits) != 1 || edits[0].Title != "Contact forgotten" || len(edits[0].Buttons) != 0 ||
		edits[0].Text != "Forgotten by bob: taken off 2 lists; 1 text erased." || strings.Contains(edits[0].Text, "0001") {
		t.Fatalf("click: posts %+v, edits %+v", posts, edits)
	}
	if posts, edits := b.clickOn("alice", act, conv); len(posts) != 1 || !strings.Contains(posts[0].Text, "that contact was already forgotten") || len(edits) != 0 {
		t.Fatalf("second click: %+v %+v", posts, edits)
	}
	b.refused(t, "alice", "contact +12065550001", "+12065550001 is not a known contact")
	if got := b.do("alice", "lists"); len(got) != 1 || !strings.Contains(got[0].Text, "crew · 0 contacts") {
		t.Fatalf("lists: %+v", got)
	}
	// The broadcast's history still adds up.
	p, err := b.engine.Status(ctx, 1)
	if err != nil || p.Counts.Sent != 1 {
		t.Fatalf("status after forget: %+v, %v", p.Counts, err)
	}
}
