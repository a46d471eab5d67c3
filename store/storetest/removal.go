package storetest

import (
	"testing"

	"smsbot/broadcast"
)

// testRemoval: removing a number while its texts are queued or in flight
// strands nothing and sends nothing from it afterwards. Its contacts move,
// with their queued texts, to the remaining numbers; a text in flight
// finishes on the old number and, if it goes back to the queue, follows
// its contact. Removing the last number leaves its contacts and texts
// waiting until a number is added.
func testRemoval(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		"InFlightTextFollowsItsContactWhenRequeued": func(b *bundle) {
			gone := b.sender("+12065550101", 1)
			b.members("crew", 0, 3)
			br := b.sending("crew", "x")
			ms := b.queued(gone.ID)
			b.claim(gone.ID, ms[0].ID, ms[1].ID) // two calls in flight
			other := b.sender("+12065550102", 1)
			moved, err := b.st.RemoveSender(b.ctx, gone.Address, "alice")
			b.check(err, "remove")
			if moved != 3 {
				b.t.Fatalf("moved %d contacts, want 3", moved)
			}
			if q := b.queued(other.ID); len(q) != 1 || q[0].ID != ms[2].ID {
				b.t.Fatalf("queued on the remaining sender: %+v; want the one text not in flight", q)
			}
			if inFlight, err := b.st.Sending(b.ctx); err != nil || len(inFlight) != 2 {
				b.t.Fatalf("in flight after removal: %+v, %v; want both calls left to their outcome", inFlight, err)
			}
			// One call went out from the old number; the other is retried,
			// from the contact's new number.
			retry := sent(ms[1], "")
			retry.Status, retry.NextAttempt, retry.ErrorCode = broadcast.MsgQueued, t0, "20429"
			b.settle(sent(ms[0], sid(1)), retry)
			if q := b.queued(gone.ID); len(q) != 0 {
				b.t.Fatalf("texts queued on the removed sender: %+v", q)
			}
			q := b.queued(other.ID)
			if len(q) != 2 || q[0].ID != ms[1].ID || q[0].SenderID != other.ID || q[0].Attempts != 1 {
				b.t.Fatalf("queued on the remaining sender: %+v; want the retried text first", q)
			}
			if rem, err := b.st.RemainingBySender(b.ctx, br.ID); err != nil || len(rem) != 1 || rem[other.ID] != 2 {
				b.t.Fatalf("remaining by sender = %v, %v", rem, err)
			}
			if got := b.outcomes(br.ID)[ms[0].To]; got.Status != broadcast.MsgSent || got.Sender != gone.Address {
				b.t.Fatalf("the text sent before removal: %+v", got)
			}
		},
		"LastSenderLeavesTextsWaitingForTheNext": func(b *bundle) {
			last := b.sender("+12065550101", 1)
			b.members("crew", 0, 3)
			br := b.sending("crew", "x")
			moved, err := b.st.RemoveSender(b.ctx, last.Address, "alice")
			b.check(err, "removing the last sender with texts queued")
			if moved != 0 {
				b.t.Fatalf("moved %d contacts with no sender to move them to", moved)
			}
			if c := b.counts(br.ID); c != (broadcast.Counts{Total: 3, Queued: 3}) {
				b.t.Fatalf("counts after removing the last sender = %+v; want every text still waiting", c)
			}
			l, err := b.st.ListByName(b.ctx, "crew")
			b.check(err, "list")
			if a, err := b.st.Audience(b.ctx, broadcast.Target{ListID: l.ID}); err != nil || a.Unassigned != 3 || len(a.Loads) != 0 {
				b.t.Fatalf("audience with no sender = %+v, %v", a, err)
			}
			next := b.sender("+12065550102", 1)
			q := b.queued(next.ID)
			if len(q) != 3 {
				b.t.Fatalf("%d of 3 waiting texts moved to the new sender", len(q))
			}
			for _, m := range q {
				if _, s, err := b.st.StickySender(b.ctx, m.To); err != nil || s.ID != next.ID {
					b.t.Fatalf("%s is on sender %d (%v), want %d", m.To, s.ID, err, next.ID)
				}
			}
			if n := len(b.queued(last.ID)); n != 0 {
				b.t.Fatalf("%d texts still queued on the removed sender", n)
			}
		},
		"AddingASenderMovesNoOneElse": func(b *bundle) {
			s1 := b.sender("+12065550101", 1)
			b.members("crew", 0, 2)
			b.sending("crew", "x")
			b.sender("+12065550102", 1)
			if q := b.queued(s1.ID); len(q) != 2 {
				b.t.Fatalf("adding a sender moved texts off an enabled one: %d left", len(q))
			}
		},
		"RemovedSenderClaimsNothing": func(b *bundle) {
			// A claimer that read the queue before the removal commits its
			// claim after it: nothing may go out from the removed number.
			last := b.sender("+12065550101", 1)
			b.members("crew", 0, 2)
			b.sending("crew", "x")
			read := b.queued(last.ID)
			if _, err := b.st.RemoveSender(b.ctx, last.Address, "alice"); err != nil {
				b.t.Fatal(err)
			}
			if got := b.claim(last.ID, ids(read)...); len(got) != 0 {
				b.t.Fatalf("the removed sender claimed %v", got)
			}
		},
	})
}
