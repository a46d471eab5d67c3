package storetest

import (
	"testing"
	"time"

	"smsbot/inbound"
)

// testRelayOrder: staff see a contact's texts in order, and texts the store
// refused are kept aside once, until staff are told.
func testRelayOrder(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		"RelayedAndEarlierUnrelayed": func(b *bundle) {
			for i, from := range []int{0, 1, 0} {
				b.save(inbound.Text{SID: sid(i), From: phone(from), To: "+12065550101", Body: "hi", At: t0.Add(time.Duration(i) * time.Second)}, inbound.NoKeyword)
			}
			relayed := func(s string) bool {
				ok, err := b.st.Relayed(b.ctx, s)
				b.check(err, "relayed")
				return ok
			}
			before := func(contact int, s string) bool {
				ok, err := b.st.UnrelayedBefore(b.ctx, b.contact(phone(contact)).ID, s)
				b.check(err, "unrelayed before")
				return ok
			}
			if relayed(sid(0)) || !relayed(sid(404)) {
				b.t.Fatal("Relayed: a stored text counts as relayed, or an unknown one does not")
			}
			if !before(0, sid(2)) || before(0, sid(0)) || before(1, sid(1)) {
				b.t.Fatal("UnrelayedBefore does not tell a contact's earlier unrelayed text")
			}
			b.check(b.st.MarkRelayed(b.ctx, sid(0), t0), "mark relayed")
			if !relayed(sid(0)) || relayed(sid(2)) || before(0, sid(2)) {
				b.t.Fatal("after relaying the first text, the second still waits for it")
			}
		},
		"DeadLettersOncePerSIDUntilNotified": func(b *bundle) {
			save := func(i int, at time.Time) bool {
				fresh, err := b.st.SaveDeadLetter(b.ctx, inbound.DeadLetter{SID: sid(i), From: phone(i), Raw: "eyJTSUQiOiJTTS4uLiJ9",
					Error: "constraint failed", At: at})
				b.check(err, "save dead letter")
				return fresh
			}
			if !save(1, t0) || !save(2, t0.Add(time.Second)) {
				b.t.Fatal("a new dead letter was not fresh")
			}
			if save(1, t0.Add(time.Minute)) {
				b.t.Fatal("the same SID was set aside twice")
			}
			open, err := b.st.UnnotifiedDeadLetters(b.ctx, 10)
			b.check(err, "unnotified")
			if len(open) != 2 || open[0].SID != sid(1) || open[0].ID == 0 || open[0].From != phone(1) || open[0].Raw != "eyJTSUQiOiJTTS4uLiJ9" ||
				open[0].Error != "constraint failed" || !open[0].At.Equal(t0) || open[1].SID != sid(2) {
				b.t.Fatalf("unnotified dead letters = %+v", open)
			}
			b.check(b.st.MarkDeadLetterNotified(b.ctx, open[0].ID, t0), "mark notified")
			if rest, err := b.st.UnnotifiedDeadLetters(b.ctx, 10); err != nil || len(rest) != 1 || rest[0].SID != sid(2) {
				b.t.Fatalf("unnotified after notifying the first = %+v, %v", rest, err)
			}
			all, err := b.st.DeadLetters(b.ctx, 10)
			b.check(err, "dead letters")
			if len(all) != 2 || all[0].SID != sid(2) || all[1].SID != sid(1) {
				b.t.Fatalf("dead letters, newest first = %+v", all)
			}
			// A dead letter is not a stored text.
			if n, err := b.st.IncomingTotal(b.ctx); err != nil || n != 0 {
				b.t.Fatalf("incoming total = %d, %v", n, err)
			}
		},
	})
}
