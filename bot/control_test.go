package bot_test

import (
	"context"
	"strings"
	"testing"

	"smsbot/bot"
)

// TestControlCharactersAreRefused: a NUL byte cut the SQL that stored it
// short ("internal error"), and other control characters were stored as
// typed. Every command with one gets one actionable line and writes
// nothing; tab and line breaks stay allowed in messages.
func TestControlCharactersAreRefused(t *testing.T) {
	b := setup(t, "alice")
	b.do("alice", "numbers add +12065550101 100")
	b.do("alice", "add friends +12065550001 Ada")
	for _, tt := range []struct{ cmd, code string }{
		{"add friends +12065550102 Gr\x00ace", "U+0000"},
		{"add friends +12065550102 Name With\x01Ctrl", "U+0001"},
		{"send friends hi\x00there", "U+0000"},
		{"reply +12065550001 hi\x00x", "U+0000"},
		{"schedule in 2h friends hi\x00x", "U+0000"},
		{"send friends bell\x07", "U+0007"},
		{"send friends del\x7f", "U+007F"},
		{"send friends c1\u0085", "U+0085"},
		{"add frie\x1bnds +12065550102", "U+001B"},
	} {
		b.refused(t, "alice", tt.cmd, "your command contains a control character ("+tt.code+") — remove it and try again")
	}
	got := b.do("alice", "send friends two\tcolumns\r\nand lines")
	if len(got) != 1 || strings.HasPrefix(got[0].Text, "⚠️") {
		t.Fatalf("a message with a tab and a line break was refused: %+v", got)
	}
}

// TestThreadReplyRefusesControlCharacters: the text of a reply in a
// contact's thread is checked the same way, and nothing is texted.
func TestThreadReplyRefusesControlCharacters(t *testing.T) {
	b := setup(t, "alice")
	ctx := context.Background()
	b.do("alice", "numbers add +12065550101 100")
	res, err := b.store.AddMember(ctx, "crew", "+12065550001", "", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.store.SetThread(ctx, res.Contact.ID, "slack", "T1"); err != nil {
		t.Fatal(err)
	}
	b.router.ThreadReply(ctx, "slack", "T1", bot.Invocation{User: "alice", Channel: "C1", Text: "hi\x00there"}, b.conv)
	posts := b.conv.take()
	if len(posts) != 1 || !strings.Contains(posts[0].Text, "control character (U+0000)") || len(b.sim.Sent()) != 0 {
		t.Fatalf("answered %+v, sent %d", posts, len(b.sim.Sent()))
	}
}
