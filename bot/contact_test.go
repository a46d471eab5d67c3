package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"smsbot/inbound"
)

func TestContactShowsListsSenderOptOutAndTexts(t *testing.T) {
	b := setup(t, "alice")
	ctx := context.Background()
	b.do("alice", "numbers add +12065550101 100")
	b.do("alice", "add crew +12065550001 Ada")
	b.do("alice", "add board +12065550001")
	b.do("alice", "send crew Dinner at 7")
	b.click("alice", "approve:1")
	b.waitDone(t, 1)
	b.do("alice", "reply +12065550001 See you there")
	if _, _, err := b.store.SaveText(ctx, inbound.Text{SID: "SM1", From: "+12065550001", To: "+12065550101",
		Body: "<!channel> *me*\n> fake quote", At: time.Now().Add(time.Hour)}, inbound.NoKeyword); err != nil {
		t.Fatal(err)
	}
	got := b.do("mallory", "contact (206) 555-0001") // reading is for everyone, in any format
	if len(got) != 1 {
		t.Fatalf("answers: %+v", got)
	}
	lines := strings.Split(got[0].Text, "\n")
	want := []string{
		"Lists: board, crew",
		"Sender: +12065550101",
		"Not opted out",
		"*Last 3 texts:*",
		" · from them",
		"> <!channel> *me*",
		"> > fake quote",
		" · to them, staff reply · sent",
		"> See you there",
		" · to them, broadcast #1 · sent",
		"> Dinner at 7",
	}
	if got[0].Title != "Ada (+12065550001)" || len(lines) != len(want) {
		t.Fatalf("answer %q:\n%s", got[0].Title, got[0].Text)
	}
	for i, w := range want {
		if !strings.HasPrefix(w, " · ") && lines[i] != w || !strings.HasSuffix(lines[i], w) {
			t.Errorf("line %d = %q, want %q", i, lines[i], w)
		}
	}
	if _, err := b.store.OptOut(ctx, "+12065550002", "test"); err != nil {
		t.Fatal(err)
	}
	got = b.do("alice", "contact +12065550002")
	if len(got) != 1 || got[0].Title != "+12065550002" || !strings.Contains(got[0].Text, "On no list.\nSender: none yet") ||
		!strings.Contains(got[0].Text, "\nOpted out ") || !strings.HasSuffix(got[0].Text, "\nNo texts yet.") {
		t.Fatalf("opted-out contact: %+v", got)
	}
	b.refused(t, "alice", "contact +12065550009", "+12065550009 is not a known contact; /sms add <list> +12065550009 adds it")
	b.refused(t, "alice", "contact crew", "crew is a list, not a phone number: did you mean /sms list crew?")
	b.refused(t, "alice", "contact call-me", `"call-me" is not a phone number`)
	b.refused(t, "alice", "contact", "usage: /sms contact <phone>")
}

func TestContactClipsLongTexts(t *testing.T) {
	b := setup(t, "alice")
	b.do("alice", "add crew +12065550001")
	if _, _, err := b.store.SaveText(context.Background(), inbound.Text{SID: "SM1", From: "+12065550001", To: "+12065550101",
		Body: strings.Repeat("é", 500), At: time.Now()}, inbound.NoKeyword); err != nil {
		t.Fatal(err)
	}
	got := b.do("alice", "contact +12065550001")
	if len(got) != 1 || !strings.HasSuffix(got[0].Text, "\n> "+strings.Repeat("é", 199)+"…") {
		t.Fatalf("answer:\n%s", got[0].Text)
	}
}
