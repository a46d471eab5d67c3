package storetest

import (
	"fmt"
	"testing"
	"time"

	"smsbot/broadcast"
)

func testQueue(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		"BatchesWriteOneRowPerMember": func(b *bundle) {
			s1 := b.sender("+12065550101", 1)
			s2 := b.sender("+12065550102", 1)
			cs := b.members("crew", 0, 5)
			if _, err := b.st.OptOut(b.ctx, phone(1), "test"); err != nil {
				b.t.Fatal(err)
			}
			b.flagInvalid(cs[2], s1.ID, 2)
			br := b.transition(b.pending("crew", "Doors open at 7pm"), broadcast.StatusPending, broadcast.StatusSending)
			loads, err := b.st.SenderLoads(b.ctx)
			b.check(err, "loads")
			bal := broadcast.NewBalancer(loads)
			var lasts []int64
			for after := int64(0); ; {
				last, err := b.st.QueueBatch(b.ctx, br, after, 2, bal, nil, b.clock.Now())
				b.check(err, "queue batch")
				lasts = append(lasts, last)
				if last == 0 {
					break
				}
				after = last
			}
			if fmt.Sprint(lasts) != fmt.Sprint([]int64{cs[1].ID, cs[3].ID, cs[4].ID, 0}) {
				b.t.Fatalf("QueueBatch returned %v, want the last contact of each batch, then 0", lasts)
			}
			// Writing a batch again is harmless.
			if _, err := b.st.QueueBatch(b.ctx, br, 0, 10, bal, nil, b.clock.Now()); err != nil {
				b.t.Fatal(err)
			}
			want := broadcast.Counts{Total: 5, Queued: 3, Skipped: 2}
			if got := b.counts(br.ID); got != want {
				b.t.Fatalf("counts = %+v, want %+v", got, want)
			}
			reasons, err := b.st.Reasons(b.ctx, br.ID)
			b.check(err, "reasons")
			if len(reasons) != 2 || reasons[0].Status != broadcast.MsgSkipped || reasons[0].Text == reasons[1].Text || reasons[0].Count != 1 {
				b.t.Fatalf("reasons = %+v, want one opted out and one invalid", reasons)
			}
			// Unassigned members got senders for good, spread evenly.
			q1, q2 := b.queued(s1.ID), b.queued(s2.ID)
			if len(q1)+len(q2) != 3 || len(q1) == 0 || len(q2) == 0 {
				b.t.Fatalf("queued per sender: %d and %d", len(q1), len(q2))
			}
			for _, m := range append(q1, q2...) {
				_, s, err := b.st.StickySender(b.ctx, m.To)
				b.check(err, "sticky sender")
				if s.ID != m.SenderID || m.Status != broadcast.MsgQueued || m.Attempts != 0 || m.Segments != 1 || m.Body != "" {
					b.t.Fatalf("row %+v, contact's sender %d", m, s.ID)
				}
			}
			if got, err := b.st.Broadcast(b.ctx, br.ID); err != nil || got.Queued {
				b.t.Fatalf("broadcast queued before MarkQueued: %+v, %v", got, err)
			}
			b.check(b.st.MarkQueued(b.ctx, br.ID), "mark queued")
			if got, err := b.st.Broadcast(b.ctx, br.ID); err != nil || !got.Queued {
				b.t.Fatalf("broadcast after MarkQueued: %+v, %v", got, err)
			}
		},
		"StickySendersAreKept": func(b *bundle) {
			s1 := b.sender("+12065550101", 1)
			b.members("crew", 0, 4)
			for i := range 4 {
				_, _, err := b.st.StickySender(b.ctx, phone(i))
				b.check(err, "sticky sender")
			}
			b.sender("+12065550102", 1) // new and empty: still nobody moves
			br := b.sending("crew", "x")
			if n := len(b.queued(s1.ID)); n != 4 {
				b.t.Fatalf("%d of 4 texts on the contacts' sender", n)
			}
			if got := b.counts(br.ID); got.Queued != 4 {
				b.t.Fatalf("counts = %+v", got)
			}
		},
		"NoSenderIsAConflict": func(b *bundle) {
			b.members("crew", 0, 2)
			br := b.transition(b.pending("crew", "x"), broadcast.StatusPending, broadcast.StatusSending)
			_, err := b.st.QueueBatch(b.ctx, br, 0, 10, broadcast.NewBalancer(nil), nil, b.clock.Now())
			b.wantCode(err, broadcast.ECONFLICT, "queueing with no sender")
			if got := b.counts(br.ID); got.Total != 0 {
				b.t.Fatalf("a refused batch wrote %+v", got)
			}
		},
		"PersonalBodies": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			b.members("crew", 0, 2)
			tmpl, err := broadcast.ParseTemplate("Hi {{name|there}}, doors open at 7pm")
			b.check(err, "template")
			br := b.transition(b.pending("crew", "Hi {{name|there}}, doors open at 7pm"), broadcast.StatusPending, broadcast.StatusSending)
			b.queueAll(br, &tmpl)
			ms := b.queued(s.ID)
			if len(ms) != 2 || ms[0].Body != "Hi Contact 0, doors open at 7pm" || ms[1].Body != "Hi Contact 1, doors open at 7pm" || ms[0].Segments != 1 {
				b.t.Fatalf("personal rows = %+v", ms)
			}
		},
		"NextQueuedIsDueRowsOfSendingBroadcastsOldestFirst": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			b.members("crew", 0, 3)
			first := b.sending("crew", "first")
			second := b.sending("crew", "second")
			ms := b.queued(s.ID)
			if len(ms) != 6 || ms[0].BroadcastID != first.ID || ms[3].BroadcastID != second.ID || ms[0].ID > ms[1].ID {
				b.t.Fatalf("queue = %+v", ms)
			}
			if few, err := b.st.NextQueued(b.ctx, s.ID, b.clock.Now(), 2); err != nil || len(few) != 2 || few[0].ID != ms[0].ID {
				b.t.Fatalf("NextQueued with limit 2 = %+v, %v", few, err)
			}
			if due, ok, err := b.st.NextDue(b.ctx, s.ID); err != nil || !ok || !due.Equal(t0) {
				b.t.Fatalf("NextDue = %v %v %v, want %v", due, ok, err, t0)
			}
			// A row retried later is not due before then.
			b.claim(s.ID, ms[0].ID)
			later := t0.Add(time.Minute)
			o := sent(ms[0], "")
			o.Status, o.NextAttempt, o.ErrorText = broadcast.MsgQueued, later, "busy"
			b.settle(o)
			b.transition(first, broadcast.StatusSending, broadcast.StatusPaused)
			if got := b.queued(s.ID); len(got) != 3 || got[0].BroadcastID != second.ID {
				b.t.Fatalf("with the first broadcast paused, queue = %+v", got)
			}
			b.transition(second, broadcast.StatusSending, broadcast.StatusPaused)
			if got := b.queued(s.ID); len(got) != 0 {
				b.t.Fatalf("with both paused, queue = %+v", got)
			}
			if _, ok, err := b.st.NextDue(b.ctx, s.ID); err != nil || ok {
				b.t.Fatalf("NextDue with both paused: %v %v", ok, err)
			}
			b.transition(first, broadcast.StatusPaused, broadcast.StatusSending)
			if due, ok, err := b.st.NextDue(b.ctx, s.ID); err != nil || !ok || !due.Equal(t0) {
				b.t.Fatalf("NextDue = %v %v %v, want %v (rows due now)", due, ok, err, t0)
			}
			b.clock.Advance(30 * time.Second)
			if got := b.queued(s.ID); len(got) != 2 {
				b.t.Fatalf("before the retry is due, queue = %+v", got)
			}
			b.clock.Advance(30 * time.Second)
			if got := b.queued(s.ID); len(got) != 3 || got[0].ID != ms[0].ID || got[0].Attempts != 1 {
				b.t.Fatalf("once the retry is due, queue = %+v", got)
			}
			if n := len(b.queued(s.ID + 100)); n != 0 {
				b.t.Fatalf("an unknown sender has %d texts queued", n)
			}
		},
	})
}
