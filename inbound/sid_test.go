package inbound_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/broadcast/twilio/twiliotest"
	"smsbot/inbound"
)

var badSIDs = []string{
	"SM1",
	"SM5A8D2F7B0C3E4F1A9B6C7D8E9F0A1B2C",
	"SMsim000000000000000000000000001",
	"SM5a8d2f7b0c3e4f1a9b6c7d8e9f0a1b2\x00",
	"'; DROP TABLE messages; --",
}

func TestWebhooksRefuseABadSIDWithA400(t *testing.T) {
	b := setup(t)
	for _, bad := range badSIDs {
		code, body := b.post(t, "/twilio/inbound", incoming(t, ada, bad, "STOP"), "")
		if code != http.StatusBadRequest || !strings.Contains(body, "MessageSid must be a Twilio message SID") {
			t.Errorf("text with SID %q: %d %q", bad, code, body)
		}
		code, body = b.post(t, "/twilio/status", statusForm(t, bad, "failed", "30005"), "")
		if code != http.StatusBadRequest || !strings.Contains(body, "MessageSid must be a Twilio message SID") {
			t.Errorf("receipt with SID %q: %d %q", bad, code, body)
		}
	}
	if n := b.count(t, "inbound_messages") + b.count(t, "dead_letters"); n != 0 {
		t.Fatalf("%d texts stored", n)
	}
	c, err := b.store.Contact(context.Background(), ada)
	if err != nil || c.OptedOutAt != nil || c.InvalidReason != "" {
		t.Fatalf("a refused webhook changed Ada: %+v, %v", c, err)
	}
	if len(b.staff.all()) != 0 {
		t.Fatalf("relayed %+v", b.staff.all())
	}
}

// corrupt is a Source whose listed texts with body bad, and receipts of
// SID bad, come with a broken SID, as a proxy or a bug might hand them.
type corrupt struct {
	inbound.Source
	bad string
}

func (c corrupt) Received(ctx context.Context, to string, since time.Time) ([]inbound.Text, error) {
	texts, err := c.Source.Received(ctx, to, since)
	for i := range texts {
		if texts[i].Body == c.bad {
			texts[i].SID = "SM\x00" + texts[i].SID
		}
	}
	return texts, err
}

func (c corrupt) Statuses(ctx context.Context, from broadcast.Sender, since time.Time) ([]inbound.StatusUpdate, error) {
	updates, err := c.Source.Statuses(ctx, from, since)
	for i := range updates {
		if updates[i].SID == c.bad {
			updates[i].SID = updates[i].SID + "\x00"
		}
	}
	return updates, err
}

func TestPollingSkipsABadSID(t *testing.T) {
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	b := setup(t)
	ctx := context.Background()
	poller := newPollerOn(t, b, corrupt{Source: provider(t, fake), bad: "broken"}, b.svc, &replies{})
	if err := poller.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	fake.AddInbound(linus, "+12065550101", "broken")
	fake.AddInbound(grace, "+12065550101", "STOP")
	if err := poller.Poll(ctx); err != nil {
		t.Fatalf("a bad SID failed the poll: %v", err)
	}
	var froms []string
	if err := b.store.DB().NewRaw(`SELECT from_phone FROM inbound_messages ORDER BY id`).Scan(ctx, &froms); err != nil {
		t.Fatal(err)
	}
	if len(froms) != 1 || froms[0] != grace {
		t.Fatalf("stored texts from %v, want Grace's STOP only", froms)
	}
}

func TestStatusPollingSkipsABadSID(t *testing.T) {
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	b := setup(t)
	ctx := context.Background()
	prov := provider(t, fake)
	sid, err := prov.Send(ctx, broadcast.Outgoing{From: broadcast.Sender{Address: "+12065550101"}, To: ada, Body: "Dinner"})
	if err != nil {
		t.Fatal(err)
	}
	recordSent(t, b, sid)
	if err := fake.SetStatus(sid, "failed", 30005); err != nil {
		t.Fatal(err)
	}
	poller := newPollerOn(t, b, corrupt{Source: prov, bad: sid}, b.svc, &replies{})
	if err := poller.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	counts, err := b.store.Counts(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if counts.Failed != 0 || counts.Sent != 1 {
		t.Fatalf("a receipt with a bad SID was applied: %+v", counts)
	}
}
