package bot_test

import (
	"context"
	"strings"
	"testing"

	"smsbot/bot"
)

// TestThreadReplyTextsTheThreadsContact: a message in a contact's thread
// goes to that contact's number with the text as written, however it
// starts. Before, the router rebuilt "/sms reply <phone> <text>" and parsed
// it again, so "8 seats…" in the thread of +491701234567 went to
// +4917012345678.
func TestThreadReplyTextsTheThreadsContact(t *testing.T) {
	b := setup(t, "alice")
	ctx := context.Background()
	b.do("alice", "numbers add +12065550101 100")
	contacts := []string{
		"+491701234567", "+4917012345678", // German mobiles, one digit apart
		"+436641234567", "+4366412345678", // Austrian
		"+447400123456", "+442079460958", // UK mobile and London
	}
	thread := map[string]string{}
	for i, phone := range contacts {
		res, err := b.store.AddMember(ctx, "crew", phone, "", "alice")
		if err != nil {
			t.Fatal(err)
		}
		thread[phone] = "T" + string(rune('a'+i))
		if err := b.store.SetThread(ctx, res.Contact.ID, "slack", thread[phone]); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct{ phone, text string }{
		{"+491701234567", "8 seats are left for you"},
		{"+491701234567", "8"},
		{"+436641234567", "8 Plätze sind frei"},
		{"+436641234567", "89 minutes to go"},
		{"+447400123456", "5 minutes away"},
		{"+447400123456", "07400 123456 is our hotline"},
		{"+442079460958", "+44 20 7946 0959 is the desk"},
		{"+4917012345678", "2 lines:\nsee you at 18:45"},
	}
	for _, tt := range tests {
		before := len(b.sim.Sent())
		b.router.ThreadReply(ctx, "slack", thread[tt.phone], bot.Invocation{User: "alice", Channel: "C1", Text: tt.text}, b.conv)
		posts := b.conv.take()
		sent := b.sim.Sent()[before:]
		if len(sent) != 1 || sent[0].To != tt.phone || sent[0].Body != tt.text {
			t.Errorf("reply %q in the thread of %s sent %+v, want one text to %s as written", tt.text, tt.phone, sent, tt.phone)
		}
		if len(posts) != 1 || !strings.Contains(posts[0].Text, "alice texted "+tt.phone) {
			t.Errorf("reply %q in the thread of %s answered %+v", tt.text, tt.phone, posts)
		}
	}
}

// TestThreadReplyKeepsTheRulesOfReply: only admins may text from a
// thread, an empty message is refused, and a thread that belongs to no
// contact is left alone.
func TestThreadReplyKeepsTheRulesOfReply(t *testing.T) {
	b := setup(t, "alice")
	ctx := context.Background()
	b.do("alice", "numbers add +12065550101 100")
	res, err := b.store.AddMember(ctx, "crew", "+491701234567", "Anna", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.store.SetThread(ctx, res.Contact.ID, "slack", "T1"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ user, ref, text, want string }{
		{"mallory", "T1", "8 seats are left", "⚠️ only smsbot admins can do that"},
		{"alice", "T1", "  \n ", "⚠️ there is no text to send to Anna (+491701234567)"},
		{"alice", "T9", "8 seats are left", ""},
	} {
		b.router.ThreadReply(ctx, "slack", tt.ref, bot.Invocation{User: tt.user, Channel: "C1", Text: tt.text}, b.conv)
		posts := b.conv.take()
		switch {
		case tt.want == "" && len(posts) != 0:
			t.Errorf("%s in thread %s: answered %+v, want nothing", tt.user, tt.ref, posts)
		case tt.want != "" && (len(posts) != 1 || !posts[0].Ephemeral || !strings.HasPrefix(posts[0].Text, tt.want)):
			t.Errorf("%s in thread %s: answered %+v, want %q", tt.user, tt.ref, posts, tt.want)
		}
	}
	if sent := b.sim.Sent(); len(sent) != 0 {
		t.Errorf("sent %+v, want nothing", sent)
	}
}
