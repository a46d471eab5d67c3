package storetest

import (
	"strings"
	"testing"
	"time"

	"smsbot/broadcast"
)

func testBroadcasts(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		"CreateAndRead": func(b *bundle) {
			b.members("crew", 0, 1)
			br := b.pending("crew", "Café at 7")
			if br.ID == 0 || br.Status != broadcast.StatusPending || br.ListName != "crew" || br.Body != "Café at 7" ||
				br.RequestedBy != "alice" || br.Encoding != broadcast.GSM7 || br.Segments != 1 || br.Queued ||
				!br.CreatedAt.Equal(t0) || br.ApprovedAt != nil || br.StartedAt != nil || br.FinishedAt != nil {
				b.t.Fatalf("created %+v", br)
			}
			got, err := b.st.Broadcast(b.ctx, br.ID)
			b.check(err, "read")
			if got.ID != br.ID || got.Body != br.Body || got.ListID != br.ListID {
				b.t.Fatalf("read back %+v", got)
			}
			_, err = b.st.Broadcast(b.ctx, br.ID+1)
			b.wantCode(err, broadcast.ENOTFOUND, "an unknown broadcast")
		},
		"ApproveOnceRecordsTheApprover": func(b *bundle) {
			b.members("crew", 0, 1)
			br := b.pending("crew", "x")
			b.clock.Advance(time.Minute)
			now := b.clock.Now()
			got, err := b.st.Transition(b.ctx, br.ID, []broadcast.Status{broadcast.StatusPending}, broadcast.StatusSending, "bob", now)
			b.check(err, "approve")
			if got.Status != broadcast.StatusSending || got.ApprovedBy != "bob" || got.ApprovedAt == nil || !got.ApprovedAt.Equal(now) ||
				got.StartedAt == nil || !got.StartedAt.Equal(now) || got.FinishedAt != nil {
				b.t.Fatalf("approved %+v", got)
			}
			_, err = b.st.Transition(b.ctx, br.ID, []broadcast.Status{broadcast.StatusPending}, broadcast.StatusSending, "carol", now)
			b.wantCode(err, broadcast.ECONFLICT, "a second approval")
			if !strings.Contains(broadcast.ErrorMessage(err), "sending") {
				b.t.Fatalf("the conflict does not name the current status: %v", err)
			}
			if again, err := b.st.Broadcast(b.ctx, br.ID); err != nil || again.ApprovedBy != "bob" {
				b.t.Fatalf("after a refused second approval: %+v, %v", again, err)
			}
			_, err = b.st.Transition(b.ctx, br.ID+1, []broadcast.Status{broadcast.StatusPending}, broadcast.StatusSending, "bob", now)
			b.wantCode(err, broadcast.ENOTFOUND, "approving an unknown broadcast")
			entries, err := b.st.Audit(b.ctx, 1)
			b.check(err, "audit")
			if len(entries) != 1 || entries[0].Action != "broadcast.approve" || entries[0].Actor != "bob" {
				b.t.Fatalf("audit = %+v", entries)
			}
		},
		"PauseResumeAndFinish": func(b *bundle) {
			b.sender("+12065550101", 1)
			b.members("crew", 0, 1)
			br := b.sending("crew", "x")
			paused := b.transition(br, broadcast.StatusSending, broadcast.StatusPaused)
			if paused.Status != broadcast.StatusPaused || paused.FinishedAt != nil || paused.ApprovedBy != "bob" {
				b.t.Fatalf("paused %+v", paused)
			}
			_, err := b.st.Transition(b.ctx, br.ID, []broadcast.Status{broadcast.StatusSending}, broadcast.StatusPaused, "bob", b.clock.Now())
			b.wantCode(err, broadcast.ECONFLICT, "pausing twice")
			resumed := b.transition(br, broadcast.StatusPaused, broadcast.StatusSending)
			if !resumed.StartedAt.Equal(*br.StartedAt) {
				b.t.Fatalf("resuming moved the start from %v to %v", br.StartedAt, resumed.StartedAt)
			}
			b.clock.Advance(time.Minute)
			done := b.transition(br, broadcast.StatusSending, broadcast.StatusCompleted)
			if done.FinishedAt == nil || !done.FinishedAt.Equal(t0.Add(time.Minute)) {
				b.t.Fatalf("completed %+v", done)
			}
			_, err = b.st.Transition(b.ctx, br.ID, []broadcast.Status{broadcast.StatusSending, broadcast.StatusPaused}, broadcast.StatusCancelled, "bob", b.clock.Now())
			b.wantCode(err, broadcast.ECONFLICT, "cancelling a completed broadcast")
			entries, err := b.st.Audit(b.ctx, 4)
			b.check(err, "audit")
			var actions []string
			for _, e := range entries {
				actions = append(actions, e.Action)
			}
			if strings.Join(actions, " ") != "broadcast.complete broadcast.resume broadcast.pause broadcast.approve" {
				b.t.Fatalf("audit actions = %q", actions)
			}
		},
		"CancelSkipsTheQueue": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			b.members("crew", 0, 3)
			br := b.sending("crew", "x")
			b.transition(br, broadcast.StatusSending, broadcast.StatusPaused)
			got := b.transition(br, broadcast.StatusPaused, broadcast.StatusCancelled)
			if got.Status != broadcast.StatusCancelled || got.FinishedAt == nil {
				b.t.Fatalf("cancelled %+v", got)
			}
			if c := b.counts(br.ID); c != (broadcast.Counts{Total: 3, Skipped: 3}) {
				b.t.Fatalf("counts after cancel = %+v", c)
			}
			reasons, err := b.st.Reasons(b.ctx, br.ID)
			b.check(err, "reasons")
			if len(reasons) != 1 || reasons[0] != (broadcast.Reason{Status: broadcast.MsgSkipped, Text: "cancelled", Count: 3}) {
				b.t.Fatalf("reasons = %+v", reasons)
			}
			if rem, err := b.st.RemainingBySender(b.ctx, br.ID); err != nil || len(rem) != 0 {
				b.t.Fatalf("remaining after cancel = %v, %v", rem, err)
			}
			if n := len(b.queued(s.ID)); n != 0 {
				b.t.Fatalf("%d texts of a cancelled broadcast still queued", n)
			}
		},
		"RecentAndUnfinished": func(b *bundle) {
			b.sender("+12065550101", 1)
			b.members("crew", 0, 1)
			pend := b.pending("crew", "pending")
			sending := b.sending("crew", "sending")
			paused := b.transition(b.sending("crew", "paused"), broadcast.StatusSending, broadcast.StatusPaused)
			done := b.transition(b.sending("crew", "done"), broadcast.StatusSending, broadcast.StatusCompleted)
			recent, err := b.st.RecentBroadcasts(b.ctx, 3)
			b.check(err, "recent")
			if len(recent) != 3 || recent[0].ID != done.ID || recent[1].ID != paused.ID || recent[2].ID != sending.ID {
				b.t.Fatalf("recent = %+v", recent)
			}
			unfinished, err := b.st.UnfinishedBroadcasts(b.ctx)
			b.check(err, "unfinished")
			if len(unfinished) != 2 || unfinished[0].ID != sending.ID || unfinished[1].ID != paused.ID {
				b.t.Fatalf("unfinished = %+v (pending #%d)", unfinished, pend.ID)
			}
			totals, err := b.st.BroadcastTotals(b.ctx)
			b.check(err, "totals")
			if len(totals) != 4 || totals[broadcast.StatusPending] != 1 || totals[broadcast.StatusSending] != 1 || totals[broadcast.StatusPaused] != 1 || totals[broadcast.StatusCompleted] != 1 {
				b.t.Fatalf("broadcast totals = %v", totals)
			}
		},
	})
}
