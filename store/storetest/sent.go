package storetest

import (
	"fmt"
	"testing"

	"smsbot/broadcast"
)

func testSentBroadcasts(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		// Only broadcasts with a text the provider accepted or refused
		// are listed, newest first, up to the limit.
		"OnlyThoseThatSent": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			b.members("crew", 0, 2)
			sentOne := b.sending("crew", "sent")
			q := b.inFlight(s.ID)
			b.settle(sent(q[0], sid(1)), sent(q[1], sid(2)))
			b.pending("crew", "pending")
			b.transition(b.pending("crew", "declined"), broadcast.StatusPending, broadcast.StatusCancelled)
			b.transition(b.sending("crew", "cancelled before a text"), broadcast.StatusSending, broadcast.StatusCancelled)
			b.sending("crew", "queued, none sent yet")
			refused := b.sending("crew", "refused")
			q = b.inFlight(s.ID)
			var last broadcast.Outcome
			for _, m := range q {
				if m.BroadcastID == refused.ID {
					last = sent(m, "")
					last.Status, last.ErrorCode = broadcast.MsgFailed, "21211"
				}
			}
			b.settle(last)
			ids := func(limit int) string {
				bs, err := b.st.SentBroadcasts(b.ctx, limit)
				b.check(err, "sent broadcasts")
				var out []int64
				for _, br := range bs {
					out = append(out, br.ID)
				}
				return fmt.Sprint(out)
			}
			if got, want := ids(10), fmt.Sprint([]int64{refused.ID, sentOne.ID}); got != want {
				b.t.Fatalf("sent broadcasts = %s, want %s", got, want)
			}
			if got, want := ids(1), fmt.Sprint([]int64{refused.ID}); got != want {
				b.t.Fatalf("sent broadcasts, limit 1 = %s, want %s", got, want)
			}
		},
	})
}
