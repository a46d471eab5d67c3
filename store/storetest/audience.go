package storetest

import (
	"errors"
	"fmt"
	"maps"
	"testing"

	"smsbot/broadcast"
	"smsbot/importer"
	"smsbot/inbound"
)

// flagInvalid makes the carrier call c's number invalid, the way a
// delivery receipt does: through a reply sent from sender.
func (b *bundle) flagInvalid(c broadcast.Contact, senderID int64, n int) {
	b.t.Helper()
	b.check(b.st.RecordReply(b.ctx, broadcast.Reply{ContactID: c.ID, SenderID: senderID, Body: "hi",
		Status: broadcast.MsgSent, ProviderSID: sid(9000 + n), SentBy: "alice", At: b.clock.Now()}), "record reply")
	changed, err := b.st.ApplyStatus(b.ctx, inbound.StatusUpdate{SID: sid(9000 + n), Status: broadcast.MsgUndelivered,
		ErrorCode: "30006", ErrorText: "Landline or unreachable carrier", Effect: broadcast.FlagInvalid, At: b.clock.Now()})
	b.check(err, "apply status")
	if !changed {
		b.t.Fatalf("the receipt flagging %s changed nothing", c.Phone)
	}
}

func testAudience(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		"CountsAsABroadcastWould": func(b *bundle) {
			s1 := b.sender("+12065550101", 1)
			cs := b.members("crew", 0, 6)
			b.members("other", 100, 2) // load on s1 from another list
			for _, p := range []string{phone(0), phone(1), phone(100), phone(101)} {
				_, _, err := b.st.StickySender(b.ctx, p)
				b.check(err, "sticky sender")
			}
			if _, err := b.st.OptOut(b.ctx, phone(2), "test"); err != nil {
				b.t.Fatal(err)
			}
			b.flagInvalid(cs[3], s1.ID, 3)
			s2 := b.sender("+12065550102", 1)
			l, err := b.st.ListByName(b.ctx, "crew")
			b.check(err, "list")
			a, err := b.st.Audience(b.ctx, broadcast.Target{ListID: l.ID})
			b.check(err, "audience")
			// phones 0 and 1 on s1; 2 opted out; 3 invalid; 4 and 5 unassigned.
			want := broadcast.Audience{Total: 6, OptedOut: 1, Invalid: 1, BySender: map[int64]int{s1.ID: 2}, Unassigned: 2,
				Loads: map[int64]broadcast.Load{s1.ID: {Contacts: 4, Rate: s1.Rate}, s2.ID: {Contacts: 0, Rate: 1}}}
			if fmt.Sprint(a) != fmt.Sprint(want) || a.Eligible() != 4 {
				b.t.Fatalf("audience\n got %+v\nwant %+v", a, want)
			}
			// The members of a removed sender are unassigned until moved.
			if _, err := b.st.RemoveSender(b.ctx, s1.Address, "test"); err != nil {
				b.t.Fatal(err)
			}
			a, err = b.st.Audience(b.ctx, broadcast.Target{ListID: l.ID})
			b.check(err, "audience")
			if a.BySender[s1.ID] != 0 || a.BySender[s2.ID]+a.Unassigned != 4 || a.Loads[s1.ID].Contacts != 0 {
				b.t.Fatalf("audience after removing sender %d: %+v", s1.ID, a)
			}
		},
		"EmptyList": func(b *bundle) {
			b.members("crew", 0, 1)
			b.check(b.st.RemoveMember(b.ctx, "crew", phone(0), "test"), "remove")
			l, err := b.st.ListByName(b.ctx, "crew")
			b.check(err, "list")
			a, err := b.st.Audience(b.ctx, broadcast.Target{ListID: l.ID})
			b.check(err, "audience")
			if a.Total != 0 || a.Eligible() != 0 || len(a.BySender) != 0 {
				b.t.Fatalf("audience of an empty list = %+v", a)
			}
		},
		"EachRecipientSkipsTheIneligible": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			b.check(b.st.ImportContacts(b.ctx, "crew", "test", func(w importer.Writer) error {
				var rows []importer.Row
				for i := range 5 {
					rows = append(rows, importer.Row{Line: i + 2, Phone: phone(i), Name: fmt.Sprint("C", i),
						Fields: map[string]string{"team": fmt.Sprint("t", i)}})
				}
				_, err := w.Write(b.ctx, rows)
				return err
			}), "import")
			if _, err := b.st.OptOut(b.ctx, phone(1), "test"); err != nil {
				b.t.Fatal(err)
			}
			b.flagInvalid(b.contact(phone(3)), s.ID, 3)
			l, err := b.st.ListByName(b.ctx, "crew")
			b.check(err, "list")
			var got []string
			b.check(b.st.EachRecipient(b.ctx, broadcast.Target{ListID: l.ID}, func(c broadcast.Contact) error {
				if !maps.Equal(c.Fields, map[string]string{"team": "t" + c.Name[1:]}) {
					b.t.Errorf("recipient %s has fields %v", c.Phone, c.Fields)
				}
				got = append(got, c.Phone)
				return nil
			}), "each recipient")
			if fmt.Sprint(got) != fmt.Sprint([]string{phone(0), phone(2), phone(4)}) {
				b.t.Fatalf("recipients = %v", got)
			}
			stop := errors.New("stop")
			n := 0
			err = b.st.EachRecipient(b.ctx, broadcast.Target{ListID: l.ID}, func(broadcast.Contact) error { n++; return stop })
			if !errors.Is(err, stop) || n != 1 {
				b.t.Fatalf("EachRecipient went on after fn failed: %v after %d calls", err, n)
			}
		},
	})
}
