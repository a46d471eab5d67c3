package inbound_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"smsbot/broadcast/twilio/twiliotest"
)

// After STOP, nothing the contact texts gets an answer of ours: not
// "STOP ALL" (not a keyword, so relayed), not HELP. Staff still see it,
// marked opted out. START lifts it.
func TestNoAutoReplyToAnOptedOutContact(t *testing.T) {
	b := setup(t)
	b.mustPost(t, "/twilio/inbound", incoming(t, ada, sid(1), "STOP"), http.StatusOK)
	for i, body := range []string{"STOP ALL", "why do I still get these?", "HELP"} {
		if twiml := b.mustPost(t, "/twilio/inbound", incoming(t, ada, sid(2+i), body), http.StatusOK); strings.Contains(twiml, "<Message>") {
			t.Fatalf("%q after STOP was answered: %s", body, twiml)
		}
	}
	posts := b.staff.all()
	if len(posts) != 4 {
		t.Fatalf("%d relays, want the STOP notice and three texts", len(posts))
	}
	var marked bool
	for _, f := range posts[1].msg.Fields {
		marked = marked || f.Label == "Opted out"
	}
	if posts[1].msg.Text != "> STOP ALL" || !marked {
		t.Fatalf("relay of STOP ALL: %+v", posts[1].msg)
	}
	if !strings.Contains(posts[3].msg.Text, "no reply") {
		t.Fatalf("HELP notice: %q", posts[3].msg.Text)
	}

	b.mustPost(t, "/twilio/inbound", incoming(t, ada, sid(5), "START"), http.StatusOK)
	if twiml := b.mustPost(t, "/twilio/inbound", incoming(t, ada, sid(6), "hi again"), http.StatusOK); !strings.Contains(twiml, "<Message>Thanks, we got it!</Message>") {
		t.Fatalf("no auto-reply after START: %s", twiml)
	}
}

// Polling answers through the API: an opted-out contact gets nothing.
func TestPolledTextOfAnOptedOutContactGetsNoReply(t *testing.T) {
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	b := setup(t)
	ctx := context.Background()
	r := &replies{}
	poller := newPoller(t, b, fake, b.svc, r)
	if err := poller.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	fake.AddInbound(grace, "+12065550101", "STOP")
	if err := poller.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	fake.AddInbound(grace, "+12065550101", "STOP ALL")
	fake.AddInbound(grace, "+12065550101", "info")
	if err := poller.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if got := r.all(); len(got) != 0 {
		t.Fatalf("replied %q to an opted-out contact", got)
	}
	if n := b.count(t, "inbound_messages"); n != 3 {
		t.Fatalf("%d texts stored, want 3", n)
	}
}
