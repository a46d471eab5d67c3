package inbound_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/inbound"
)

// sendOne broadcasts to the crew list and returns the broadcast and the
// SID of Ada's text. The simulated carrier's SIDs are not Twilio's, so
// the text gets one that is, as Twilio would have given it.
func (b *bundle) sendOne(t *testing.T) (int64, string) {
	t.Helper()
	id := b.broadcast(t, "Dinner is served")
	sid := sid(int(id))
	if _, err := b.store.DB().ExecContext(context.Background(), `UPDATE messages SET provider_sid = ? WHERE broadcast_id = ?`, sid, id); err != nil {
		t.Fatal(err)
	}
	return id, sid
}

// broadcast sends body to the crew list and waits, at most 10 s, for the
// engine to finish it.
func (b *bundle) broadcast(t *testing.T, body string) int64 {
	t.Helper()
	ctx := context.Background()
	p, err := b.engine.Prepare(ctx, broadcast.Draft{List: "crew", Body: body, RequestedBy: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	ch, stop, err := b.engine.Subscribe(ctx, p.Broadcast.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if _, err := b.engine.Approve(ctx, p.Broadcast.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	waitDone(t, ch, 10*time.Second)
	return p.Broadcast.ID
}

func statusForm(t *testing.T, sid, status, code string) url.Values {
	t.Helper()
	form := webhookForm(t, "status_callback.txt")
	form.Set("MessageSid", sid)
	form.Set("SmsSid", sid)
	form.Set("MessageStatus", status)
	form.Set("SmsStatus", status)
	if code != "" {
		form.Set("ErrorCode", code)
	}
	return form
}

func TestDeliveryReceipts(t *testing.T) {
	tests := []struct {
		name        string
		callbacks   [][2]string // status, error code, in arrival order
		want        broadcast.MessageStatus
		wantInvalid string
		wantOptOut  bool
	}{
		{"delivered", [][2]string{{"sent", ""}, {"delivered", ""}}, broadcast.MsgDelivered, "", false},
		{"out of order: delivered then sent", [][2]string{{"delivered", ""}, {"sent", ""}, {"queued", ""}}, broadcast.MsgDelivered, "", false},
		{"final is never overwritten", [][2]string{{"undelivered", "30006"}, {"delivered", ""}}, broadcast.MsgUndelivered, "30006 landline or unreachable carrier", false},
		{"a phone off does not flag the contact", [][2]string{{"undelivered", "30003"}}, broadcast.MsgUndelivered, "", false},
		{"unknown number flags the contact", [][2]string{{"failed", "30005"}}, broadcast.MsgFailed, "30005 unknown number: it does not exist at the carrier", false},
		{"landline", [][2]string{{"undelivered", "30006"}}, broadcast.MsgUndelivered, "30006 landline or unreachable carrier", false},
		{"opted out at the carrier", [][2]string{{"failed", "21610"}}, broadcast.MsgFailed, "", true},
		{"spam filter does not flag the contact", [][2]string{{"undelivered", "30007"}}, broadcast.MsgUndelivered, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t)
			id, sid := b.sendOne(t)
			for _, cb := range tt.callbacks {
				if code, _ := b.post(t, "/twilio/status", statusForm(t, sid, cb[0], cb[1]), ""); code != http.StatusNoContent {
					t.Fatalf("callback answered %d", code)
				}
			}
			counts, err := b.store.Counts(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			got := map[broadcast.MessageStatus]int{broadcast.MsgDelivered: counts.Delivered, broadcast.MsgUndelivered: counts.Undelivered, broadcast.MsgFailed: counts.Failed}
			if got[tt.want] != 1 {
				t.Fatalf("counts = %+v, want one %s", counts, tt.want)
			}
			c, err := b.store.Contact(context.Background(), "+12065550001")
			if err != nil {
				t.Fatal(err)
			}
			if c.InvalidReason != tt.wantInvalid || (c.OptedOutAt != nil) != tt.wantOptOut {
				t.Fatalf("contact = invalid %q, opted out %v", c.InvalidReason, c.OptedOutAt != nil)
			}
		})
	}
}

func TestForgedStatusCallbackIsRefused(t *testing.T) {
	b := setup(t)
	id, sid := b.sendOne(t)
	if code, _ := b.post(t, "/twilio/status", statusForm(t, sid, "failed", "30005"), "forged"); code != http.StatusForbidden {
		t.Fatalf("answered %d, want 403", code)
	}
	counts, err := b.store.Counts(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if counts.Sent != 1 || counts.Failed != 0 {
		t.Fatalf("a forged callback changed the outbox: %+v", counts)
	}
}

func TestParseStatus(t *testing.T) {
	for _, s := range []string{"queued", "accepted", "sending", "sent", "scheduled", ""} {
		if _, final := inbound.ParseStatus("SM1", s, "", time.Time{}); final {
			t.Errorf("%q taken as final", s)
		}
	}
	if u, final := inbound.ParseStatus("SM1", "read", "0", time.Time{}); !final || u.Status != broadcast.MsgDelivered || u.ErrorCode != "" {
		t.Errorf("read = %+v", u)
	}
}
