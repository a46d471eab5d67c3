package storetest

import (
	"fmt"
	"slices"
	"testing"

	"smsbot/broadcast"
)

// testOutcomeRuns: many outcomes in one Commit mean what they would one
// by one, in order (PostgreSQL settles each run of plain Sent outcomes in
// one statement): the first outcome of a row wins, whichever kind, and
// each row is fenced by its own token.
func testOutcomeRuns(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		"FirstOutcomeOfARowWins": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			b.members("crew", 0, 5)
			br := b.sending("crew", "x")
			ms := b.inFlight(s.ID)
			failed := func(m broadcast.Message) broadcast.Outcome {
				o := sent(m, "")
				o.Status, o.ErrorCode, o.ErrorText = broadcast.MsgFailed, "30007", "Carrier violation"
				return o
			}
			outs := []broadcast.Outcome{
				sent(ms[0], sid(1)), sent(ms[0], sid(99)), // a repeated Sent in one run
				failed(ms[1]), sent(ms[1], sid(98)), // a failure, then Sent
				sent(ms[2], sid(3)), failed(ms[2]), sent(ms[3], sid(4)), // Sent, then a failure
			}
			b.settle(outs...)
			wantRefused(b, outs, 1, 3, 5)
			if c := b.counts(br.ID); c != (broadcast.Counts{Total: 5, Sent: 3, Failed: 1, Sending: 1}) {
				b.t.Fatalf("counts = %+v, want 3 sent, 1 failed, 1 still sending", c)
			}
			for _, i := range []int{1, 3, 4} {
				if !b.knownSID(sid(i)) {
					b.t.Errorf("SID %d not stored", i)
				}
			}
			if b.knownSID(sid(99)) || b.knownSID(sid(98)) {
				b.t.Error("a later outcome of a row settled in the same commit changed it")
			}
			o := b.outcomes(br.ID)
			if got := o[ms[1].To]; got.Status != broadcast.MsgFailed || got.ErrorCode != "30007" {
				b.t.Errorf("row failed first: %+v", got)
			}
			if got := o[ms[2].To]; got.Status != broadcast.MsgSent || got.ErrorCode != "" {
				b.t.Errorf("row sent first: %+v", got)
			}
		},
		"EachRowFencedByItsToken": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			b.members("crew", 0, 4)
			br := b.sending("crew", "x")
			ms := b.inFlight(s.ID)
			name := fmt.Sprintf("sender:%d", s.ID)
			b.mustAcquire(name, "a", 1)
			b.clock.Advance(ttl)
			b.mustAcquire(name, "b", 2)
			outcome := func(m broadcast.Message, n int, token int64) broadcast.Outcome {
				o := sent(m, sid(n))
				o.Token = token
				return o
			}
			// a's (token 1) are stale; b's (2) and unleased ones (0) land.
			outs := []broadcast.Outcome{outcome(ms[0], 1, 1), outcome(ms[1], 2, 2), outcome(ms[2], 3, 1), outcome(ms[3], 4, 0)}
			b.settle(outs...)
			wantRefused(b, outs, 0, 2)
			if c := b.counts(br.ID); c != (broadcast.Counts{Total: 4, Sent: 2, Sending: 2}) {
				b.t.Fatalf("counts = %+v, want 2 sent, 2 still sending", c)
			}
			if b.knownSID(sid(1)) || b.knownSID(sid(3)) || !b.knownSID(sid(2)) || !b.knownSID(sid(4)) {
				b.t.Fatal("a stale token settled a row, or a current one did not")
			}
		},
	})
}

// wantRefused fails the test unless Commit marked exactly the outcomes
// at the indexes Refused: those that changed nothing.
func wantRefused(b *bundle, outs []broadcast.Outcome, refused ...int) {
	b.t.Helper()
	for i, o := range outs {
		if want := slices.Contains(refused, i); o.Refused != want {
			b.t.Errorf("outcome %d (text %d, %s): Refused = %v, want %v", i, o.MessageID, o.Status, o.Refused, want)
		}
	}
}
