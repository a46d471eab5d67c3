package storetest

import (
	"testing"
	"time"

	"smsbot/broadcast"
)

// testPreview covers what previews read to catch mistakes: broadcasts
// that already went to a list, and the members a broadcast would skip.
func testPreview(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		"SentToListCountsOnlyBroadcastsThatWent": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			b.members("crew", 0, 2)
			b.members("board", 10, 1)
			l, err := b.st.ListByName(b.ctx, "crew")
			b.check(err, "list")
			since := b.clock.Now()

			b.pending("crew", "never approved")
			cancelled := b.transition(b.pending("crew", "approved, then cancelled"), broadcast.StatusPending, broadcast.StatusCancelled)
			going := b.sending("crew", "still going")
			b.sending("board", "another list")
			done := b.sending("crew", "one sent, then paused")
			for _, m := range b.inFlight(s.ID) {
				if m.BroadcastID == done.ID {
					b.settle(sent(m, sid(int(m.ID))))
					break
				}
			}
			b.transition(done, broadcast.StatusSending, broadcast.StatusPaused)

			got, err := b.st.SentToList(b.ctx, l.ID, since)
			b.check(err, "sent to list")
			ids := map[int64]bool{}
			for _, br := range got {
				ids[br.ID] = true
			}
			if len(got) != 2 || !ids[going.ID] || !ids[done.ID] {
				b.t.Fatalf("sent to crew = %v, want #%d (sending) and #%d (sent one) only, not #%d (cancelled)", ids, going.ID, done.ID, cancelled.ID)
			}
			if got[0].ID < got[1].ID {
				b.t.Fatalf("not newest first: #%d before #%d", got[0].ID, got[1].ID)
			}
			later, err := b.st.SentToList(b.ctx, l.ID, since.Add(time.Hour))
			b.check(err, "sent to list since later")
			if len(later) != 0 {
				b.t.Fatalf("broadcasts started before since were returned: %d", len(later))
			}
		},
		"SkippedMembersAreOptedOutOrInvalid": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			cs := b.members("crew", 0, 5)
			b.members("other", 20, 1)
			_, err := b.st.OptOut(b.ctx, phone(1), "test")
			b.check(err, "opt out")
			_, err = b.st.OptOut(b.ctx, phone(20), "test") // on another list
			b.check(err, "opt out")
			b.flagInvalid(cs[3], s.ID, 3)
			l, err := b.st.ListByName(b.ctx, "crew")
			b.check(err, "list")

			got, err := b.st.SkippedMembers(b.ctx, broadcast.Target{ListID: l.ID}, 10)
			b.check(err, "skipped members")
			if len(got) != 2 || got[0].Phone != phone(1) || got[0].OptedOutAt == nil ||
				got[1].Phone != phone(3) || got[1].InvalidReason == "" {
				b.t.Fatalf("skipped = %+v, want %s opted out and %s invalid", got, phone(1), phone(3))
			}
			one, err := b.st.SkippedMembers(b.ctx, broadcast.Target{ListID: l.ID}, 1)
			b.check(err, "skipped members, limit 1")
			if len(one) != 1 || one[0].Phone != phone(1) {
				b.t.Fatalf("limit 1 = %+v", one)
			}
		},
	})
}
