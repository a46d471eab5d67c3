package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"smsbot/broadcast"
)

// testClaims: a claim only takes rows still queued on the claiming sender,
// of a broadcast still sending, and counts an attempt.
func testClaims(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		"TakesQueuedRowsOnce": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			b.members("crew", 0, 3)
			br := b.sending("crew", "x")
			ms := b.queued(s.ID)
			b.clock.Advance(time.Second)
			got := b.claim(s.ID, ids(ms)...)
			if !slices.Equal(got, ids(ms)) {
				b.t.Fatalf("claimed %v, want %v", got, ids(ms))
			}
			if again := b.claim(s.ID, ids(ms)...); len(again) != 0 {
				b.t.Fatalf("claimed %v a second time", again)
			}
			if n := len(b.queued(s.ID)); n != 0 {
				b.t.Fatalf("%d claimed rows still queued", n)
			}
			inFlight, err := b.st.Sending(b.ctx)
			b.check(err, "sending")
			if len(inFlight) != 3 {
				b.t.Fatalf("%d rows in Sending, want 3", len(inFlight))
			}
			for _, m := range inFlight {
				if m.Status != broadcast.MsgSending || m.Attempts != 1 || m.FirstAttemptAt == nil || !m.FirstAttemptAt.Equal(t0.Add(time.Second)) || m.SenderID != s.ID || m.BroadcastID != br.ID {
					b.t.Fatalf("row in flight %+v", m)
				}
			}
			if c := b.counts(br.ID); c.Sending != 3 || c.Remaining() != 3 {
				b.t.Fatalf("counts = %+v", c)
			}
		},
		"OnlyTheRowsOfTheClaimingSender": func(b *bundle) {
			s1 := b.sender("+12065550101", 1)
			s2 := b.sender("+12065550102", 1)
			b.members("crew", 0, 4)
			b.sending("crew", "x")
			q1, q2 := b.queued(s1.ID), b.queued(s2.ID)
			if len(q1) != 2 || len(q2) != 2 {
				b.t.Fatalf("queued %d and %d", len(q1), len(q2))
			}
			if got := b.claim(s1.ID, ids(q2)...); len(got) != 0 {
				b.t.Fatalf("sender %d claimed %v of sender %d's rows", s1.ID, got, s2.ID)
			}
			// Several claims in one commit each get their own rows back.
			got := b.commit(broadcast.Commit{Claims: []broadcast.Claim{
				{SenderID: s1.ID, IDs: append(ids(q1), q2[0].ID)},
				{SenderID: s2.ID},
				{SenderID: s2.ID, IDs: ids(q2)},
			}})
			if fmt.Sprint(got) != fmt.Sprint([][]int64{ids(q1), nil, ids(q2)}) {
				b.t.Fatalf("claims returned %v", got)
			}
		},
		"NotOfABroadcastThatIsNotSending": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			b.members("crew", 0, 2)
			br := b.sending("crew", "x")
			ms := b.queued(s.ID)
			b.transition(br, broadcast.StatusSending, broadcast.StatusPaused)
			if got := b.claim(s.ID, ids(ms)...); len(got) != 0 {
				b.t.Fatalf("claimed %v of a paused broadcast", got)
			}
			b.transition(br, broadcast.StatusPaused, broadcast.StatusSending)
			if got := b.claim(s.ID, ms[0].ID); len(got) != 1 {
				b.t.Fatalf("claimed %v after resuming", got)
			}
			b.transition(br, broadcast.StatusSending, broadcast.StatusCancelled)
			if got := b.claim(s.ID, ms[1].ID); len(got) != 0 {
				b.t.Fatalf("claimed %v of a cancelled broadcast", got)
			}
			// A pending broadcast has no rows yet; one queued but not
			// approved has none to give either.
			other := b.pending("crew", "y")
			b.queueAll(other, nil)
			pend, err := b.st.NextQueued(b.ctx, s.ID, b.clock.Now(), 10)
			b.check(err, "next queued")
			if len(pend) != 0 {
				b.t.Fatalf("rows of a pending broadcast are queued for sending: %+v", pend)
			}
		},
		"NotARowAlreadySettled": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			b.members("crew", 0, 2)
			b.sending("crew", "x")
			ms := b.queued(s.ID)
			b.claim(s.ID, ids(ms)...)
			f := sent(ms[1], "")
			f.Status, f.ErrorCode, f.ErrorText = broadcast.MsgFailed, "30007", "Carrier violation"
			b.settle(sent(ms[0], sid(1)), f)
			if got := b.claim(s.ID, ids(ms)...); len(got) != 0 {
				b.t.Fatalf("claimed settled rows %v", got)
			}
			if got := b.claim(s.ID, 999999); len(got) != 0 {
				b.t.Fatalf("claimed unknown row %v", got)
			}
		},
	})
}
