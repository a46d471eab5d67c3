package storetest

import (
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/inbound"
)

func testContactDetails(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		"ListsSenderAndNewestTexts": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			b.members("crew", 0, 2)
			b.members("board", 0, 1)
			b.sending("crew", "first")
			ms := b.inFlight(s.ID)
			b.clock.Advance(time.Second)
			b.settle(sent(ms[0], sid(1)), sent(ms[1], sid(2)))
			b.clock.Advance(time.Second)
			b.sending("crew", "second") // queued, never attempted: not a text
			b.clock.Advance(time.Second)
			_, _, err := b.st.SaveText(b.ctx, inbound.Text{SID: sid(9), From: phone(0), To: s.Address, Body: "thanks", At: b.clock.Now()}, inbound.NoKeyword)
			b.check(err, "save text")
			d, err := b.st.ContactDetails(b.ctx, phone(0), 5)
			b.check(err, "details")
			if d.Contact.Phone != phone(0) || len(d.Lists) != 2 || d.Lists[0] != "board" || d.Lists[1] != "crew" || d.Sender != s.Address {
				b.t.Fatalf("details = %+v", d)
			}
			if len(d.Texts) != 2 || d.Texts[0].Direction != broadcast.Inbound || d.Texts[0].Body != "thanks" || !d.Texts[0].At.Equal(b.clock.Now()) ||
				d.Texts[1].Direction != broadcast.Outbound || d.Texts[1].Body != "first" || d.Texts[1].Status != string(broadcast.MsgSent) || d.Texts[1].BroadcastID != 1 {
				b.t.Fatalf("texts = %+v", d.Texts)
			}
			d, err = b.st.ContactDetails(b.ctx, phone(0), 1)
			b.check(err, "details, 1 text")
			if len(d.Texts) != 1 || d.Texts[0].Body != "thanks" {
				b.t.Fatalf("newest text = %+v", d.Texts)
			}
			_, err = b.st.ContactDetails(b.ctx, phone(7), 5)
			b.wantCode(err, broadcast.ENOTFOUND, "an unknown contact")
		},
	})
}
