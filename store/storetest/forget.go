package storetest

import (
	"strings"
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/inbound"
)

func testForget(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		"ErasesTheContactKeepsTheCounts": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			b.members("crew", 0, 2)
			b.members("board", 0, 1)
			br := b.sending("crew", "hi")
			ms := b.inFlight(s.ID)
			b.clock.Advance(time.Second)
			b.settle(sent(ms[0], sid(1)), sent(ms[1], sid(2)))
			_, _, err := b.st.SaveText(b.ctx, inbound.Text{SID: sid(3), From: phone(0), To: s.Address, Body: "my address is …", At: b.clock.Now()}, inbound.NoKeyword)
			b.check(err, "text in")
			before := b.counts(br.ID)
			c := b.contact(phone(0))
			f, err := b.st.Forget(b.ctx, c.ID, "bob")
			b.check(err, "forget")
			if f.ContactID != c.ID || len(f.Lists) != 2 || f.Texts != 2 {
				b.t.Fatalf("forgotten = %+v", f)
			}
			if after := b.counts(br.ID); after != before {
				b.t.Fatalf("counts %+v → %+v", before, after)
			}
			if !b.knownSID(sid(1)) {
				b.t.Fatal("the outbox forgot the SID that makes sending exactly-once")
			}
			for phone, o := range b.outcomes(br.ID) {
				if strings.Contains(phone, "0000") || o.Name == "Contact 0" {
					b.t.Fatalf("an outcome still names them: %s %+v", phone, o)
				}
			}
			_, err = b.st.ContactDetails(b.ctx, phone(0), 5)
			b.wantCode(err, broadcast.ENOTFOUND, "the forgotten contact")
			for _, name := range []string{"crew", "board"} {
				l, err := b.st.ListByName(b.ctx, name)
				b.check(err, "list")
				if want := map[string]int{"crew": 1, "board": 0}[name]; l.Members != want {
					b.t.Fatalf("%s has %d members, want %d", name, l.Members, want)
				}
			}
			entries, err := b.st.Audit(b.ctx, 100)
			b.check(err, "audit")
			for _, e := range entries {
				if strings.Contains(e.Subject+e.Detail, phone(0)) {
					b.t.Fatalf("the audit still names them: %+v", e)
				}
			}
			if entries[0].Action != "contact.forget" || !strings.Contains(entries[0].Detail, "phone=…00") {
				b.t.Fatalf("newest audit entry = %+v", entries[0])
			}
			_, err = b.st.Forget(b.ctx, c.ID, "bob")
			b.wantCode(err, broadcast.ENOTFOUND, "forgetting twice")
			// Twilio retrying the webhook of their text stores nothing anew.
			_, fresh, err := b.st.SaveText(b.ctx, inbound.Text{SID: sid(3), From: phone(0), To: s.Address, Body: "my address is …", At: b.clock.Now()}, inbound.NoKeyword)
			b.check(err, "the same text again")
			if fresh {
				b.t.Fatal("a retried webhook of a forgotten contact's text was stored again")
			}
			_, err = b.st.ContactDetails(b.ctx, phone(0), 5)
			b.wantCode(err, broadcast.ENOTFOUND, "the forgotten contact after their old text came again")
		},
		"RefusedWhileATextIsQueued": func(b *bundle) {
			b.sender("+12065550101", 1)
			b.members("crew", 0, 1)
			br := b.sending("crew", "hi")
			c := b.contact(phone(0))
			_, err := b.st.Forget(b.ctx, c.ID, "bob")
			b.wantCode(err, broadcast.ECONFLICT, "a queued text")
			if got := b.counts(br.ID); got.Queued != 1 {
				b.t.Fatalf("counts = %+v", got)
			}
			b.contact(phone(0))
		},
	})
}
