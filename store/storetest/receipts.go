package storetest

import (
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/inbound"
)

func (b *bundle) receipt(u inbound.StatusUpdate) bool {
	b.t.Helper()
	if u.At.IsZero() {
		u.At = b.clock.Now()
	}
	changed, err := b.st.ApplyStatus(b.ctx, u)
	b.check(err, "apply status "+u.SID)
	return changed
}

// testReceipts: delivery receipts settle sent texts and replies; a final
// status is never replaced.
func testReceipts(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		"FinalStatusIsKept": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			b.members("crew", 0, 3)
			br := b.sending("crew", "x")
			ms := b.inFlight(s.ID)
			b.settle(sent(ms[0], sid(1)), sent(ms[1], sid(2)))
			b.clock.Advance(3 * time.Second)
			if !b.receipt(inbound.StatusUpdate{SID: sid(1), Status: broadcast.MsgDelivered}) {
				b.t.Fatal("a delivery receipt changed nothing")
			}
			if b.receipt(inbound.StatusUpdate{SID: sid(1), Status: broadcast.MsgUndelivered, ErrorCode: "30005"}) {
				b.t.Fatal("a late receipt replaced a final status")
			}
			if !b.receipt(inbound.StatusUpdate{SID: sid(2), Status: broadcast.MsgUndelivered, ErrorCode: "30003", ErrorText: "Unreachable destination handset"}) {
				b.t.Fatal("an undelivered receipt changed nothing")
			}
			if b.receipt(inbound.StatusUpdate{SID: sid(404), Status: broadcast.MsgDelivered}) {
				b.t.Fatal("a receipt of an unknown SID changed something")
			}
			if c := b.counts(br.ID); c != (broadcast.Counts{Total: 3, Sending: 1, Delivered: 1, Undelivered: 1}) || c.Done() != 2 {
				b.t.Fatalf("counts = %+v", c)
			}
			o := b.outcomes(br.ID)
			if got := o[ms[0].To]; got.Status != broadcast.MsgDelivered || !got.DeliveredAt.Equal(t0.Add(3*time.Second)) || got.ErrorCode != "" {
				b.t.Fatalf("delivered outcome %+v", got)
			}
			if got := o[ms[1].To]; got.Status != broadcast.MsgUndelivered || got.ErrorCode != "30003" || !got.DeliveredAt.IsZero() {
				b.t.Fatalf("undelivered outcome %+v", got)
			}
			reasons, err := b.st.Reasons(b.ctx, br.ID)
			b.check(err, "reasons")
			if len(reasons) != 1 || reasons[0].Status != broadcast.MsgUndelivered || reasons[0].Code != "30003" {
				b.t.Fatalf("reasons = %+v", reasons)
			}
		},
		"RepeatedOutcomeAfterTheReceipt": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			b.members("crew", 0, 1)
			br := b.sending("crew", "x")
			ms := b.inFlight(s.ID)
			b.settle(sent(ms[0], sid(1)))
			if !b.receipt(inbound.StatusUpdate{SID: sid(1), Status: broadcast.MsgDelivered}) {
				b.t.Fatal("receipt changed nothing")
			}
			b.settle(sent(ms[0], sid(1))) // a repeated outcome does not undo it
			if c := b.counts(br.ID); c.Delivered != 1 || c.Sent != 0 {
				b.t.Fatalf("counts = %+v", c)
			}
		},
		"ReceiptEffects": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			cs := b.members("crew", 0, 1)
			b.sending("crew", "x")
			ms := b.inFlight(s.ID)
			b.settle(sent(ms[0], sid(1)))
			b.receipt(inbound.StatusUpdate{SID: sid(1), Status: broadcast.MsgUndelivered, ErrorCode: "21610", Effect: broadcast.MarkOptedOut})
			if c := b.contact(cs[0].Phone); c.OptedOutAt == nil {
				b.t.Fatalf("contact after an opt-out receipt: %+v", c)
			}
		},
		"Replies": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			c := b.members("crew", 0, 1)[0]
			b.check(b.st.RecordReply(b.ctx, broadcast.Reply{ContactID: c.ID, SenderID: s.ID, Body: "Hall B", Status: broadcast.MsgSent,
				ProviderSID: sid(7), SentBy: "alice", At: t0}), "record reply")
			b.check(b.st.RecordReply(b.ctx, broadcast.Reply{ContactID: c.ID, SenderID: s.ID, Body: "Hall C", Status: broadcast.MsgFailed,
				ErrorCode: "21610", SentBy: "alice", At: t0}), "record failed reply")
			entries, err := b.st.Audit(b.ctx, 1)
			b.check(err, "audit")
			if len(entries) != 1 || entries[0].Action != "contact.reply" || entries[0].Actor != "alice" {
				b.t.Fatalf("audit = %+v", entries)
			}
			if !b.receipt(inbound.StatusUpdate{SID: sid(7), Status: broadcast.MsgDelivered}) {
				b.t.Fatal("a reply's receipt changed nothing")
			}
			if b.receipt(inbound.StatusUpdate{SID: sid(7), Status: broadcast.MsgUndelivered}) {
				b.t.Fatal("a late receipt replaced a reply's final status")
			}
		},
		"AwaitingStatus": func(b *bundle) {
			s1 := b.sender("+12065550101", 1)
			s2 := b.sender("+12065550102", 1)
			b.members("crew", 0, 4)
			b.sending("crew", "x")
			q1 := b.inFlight(s1.ID)
			b.clock.Advance(time.Second)
			b.settle(sent(q1[0], sid(1)))
			b.clock.Advance(time.Second)
			b.settle(sent(q1[1], sid(2)))
			q2 := b.inFlight(s2.ID)
			b.settle(sent(q2[0], sid(3)))
			b.receipt(inbound.StatusUpdate{SID: sid(3), Status: broadcast.MsgDelivered})
			c := b.contact(q2[1].To)
			b.check(b.st.RecordReply(b.ctx, broadcast.Reply{ContactID: c.ID, SenderID: s2.ID, Body: "hi", Status: broadcast.MsgSent,
				ProviderSID: sid(4), SentBy: "alice", At: t0.Add(5 * time.Second)}), "record reply")
			got, err := b.st.AwaitingStatus(b.ctx, t0)
			b.check(err, "awaiting status")
			if len(got) != 2 || !got[s1.ID].Equal(t0.Add(time.Second)) || !got[s2.ID].Equal(t0.Add(5*time.Second)) {
				b.t.Fatalf("awaiting status = %v", got)
			}
			got, err = b.st.AwaitingStatus(b.ctx, t0.Add(2*time.Second))
			b.check(err, "awaiting status")
			if len(got) != 2 || !got[s1.ID].Equal(t0.Add(2*time.Second)) {
				b.t.Fatalf("awaiting status since +2s = %v", got)
			}
			b.receipt(inbound.StatusUpdate{SID: sid(1), Status: broadcast.MsgDelivered})
			b.receipt(inbound.StatusUpdate{SID: sid(2), Status: broadcast.MsgDelivered})
			b.receipt(inbound.StatusUpdate{SID: sid(4), Status: broadcast.MsgDelivered})
			if got, err := b.st.AwaitingStatus(b.ctx, t0); err != nil || len(got) != 0 {
				b.t.Fatalf("awaiting status once all are final = %v, %v", got, err)
			}
		},
	})
}
