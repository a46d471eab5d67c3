package storetest

import (
	"fmt"
	"testing"
	"time"

	"smsbot/broadcast"
)

// rates returns broadcast id's recorded rates as "sender:rate@seconds
// since t0" in order.
func (b *bundle) rates(id int64) string {
	b.t.Helper()
	rs, err := b.st.Rates(b.ctx, id)
	b.check(err, "rates")
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%d:%g@%d", r.SenderID, r.Rate, int(r.Since.Sub(t0)/time.Second)))
	}
	return fmt.Sprint(out)
}

func (b *bundle) recordRates(id int64) {
	b.t.Helper()
	b.check(b.st.RecordRates(b.ctx, id, b.clock.Now()), "record rates")
}

func testRates(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		// A run records each sender's rate once; a rate changed mid-run
		// adds a row, so both are kept in order; recording again with
		// nothing changed adds nothing.
		"ChangesKeptInOrder": func(b *bundle) {
			s1 := b.sender("+12065550101", 5)
			s2 := b.sender("+12065550102", 2)
			b.members("crew", 0, 4)
			br := b.sending("crew", "x")
			b.recordRates(br.ID)
			b.recordRates(br.ID)
			want := fmt.Sprint([]string{fmt.Sprintf("%d:5@0", s1.ID), fmt.Sprintf("%d:2@0", s2.ID)})
			if got := b.rates(br.ID); got != want {
				b.t.Fatalf("rates = %s, want %s", got, want)
			}
			b.clock.Advance(time.Minute)
			b.sender("+12065550101", 1)
			b.recordRates(br.ID)
			want = fmt.Sprint([]string{fmt.Sprintf("%d:5@0", s1.ID), fmt.Sprintf("%d:1@60", s1.ID), fmt.Sprintf("%d:2@0", s2.ID)})
			if got := b.rates(br.ID); got != want {
				b.t.Fatalf("after the change: rates = %s, want %s", got, want)
			}
		},
		// A short broadcast can send its last text, and complete, before
		// its run is loaded: the first record still takes its senders; a
		// rate changed afterwards is not recorded.
		"FirstLoadAfterTheLastText": func(b *bundle) {
			s := b.sender("+12065550101", 5)
			b.members("crew", 0, 1)
			br := b.sending("crew", "x")
			b.settle(sent(b.inFlight(s.ID)[0], sid(1)))
			b.transition(br, broadcast.StatusSending, broadcast.StatusCompleted)
			b.recordRates(br.ID)
			want := fmt.Sprint([]string{fmt.Sprintf("%d:5@0", s.ID)})
			if got := b.rates(br.ID); got != want {
				b.t.Fatalf("rates = %s, want %s", got, want)
			}
			b.sender("+12065550101", 1)
			b.recordRates(br.ID)
			if got := b.rates(br.ID); got != want {
				b.t.Fatalf("after a change once it completed: rates = %s, want %s", got, want)
			}
		},
		// After the first record, only a sending broadcast records, and
		// only for senders with texts still open in it: a rate changed
		// while paused counts once it resumes, and one changed after the
		// sender's part was done is left out.
		"OnlyWhileSendingAndOpen": func(b *bundle) {
			s1 := b.sender("+12065550101", 3)
			s2 := b.sender("+12065550102", 3)
			b.members("crew", 0, 4)
			br := b.sending("crew", "x")
			b.recordRates(br.ID)
			br = b.transition(br, broadcast.StatusSending, broadcast.StatusPaused)
			b.sender("+12065550101", 4)
			b.recordRates(br.ID)
			want := fmt.Sprint([]string{fmt.Sprintf("%d:3@0", s1.ID), fmt.Sprintf("%d:3@0", s2.ID)})
			if got := b.rates(br.ID); got != want {
				b.t.Fatalf("paused: rates = %s, want %s", got, want)
			}
			b.transition(br, broadcast.StatusPaused, broadcast.StatusSending)
			q := b.inFlight(s2.ID)
			if len(q) != 2 {
				b.t.Fatalf("%d texts from the second sender, want 2", len(q))
			}
			b.settle(sent(q[0], sid(1)), sent(q[1], sid(2)))
			b.sender("+12065550102", 5)
			b.clock.Advance(time.Second)
			b.recordRates(br.ID)
			want = fmt.Sprint([]string{fmt.Sprintf("%d:3@0", s1.ID), fmt.Sprintf("%d:4@1", s1.ID), fmt.Sprintf("%d:3@0", s2.ID)})
			if got := b.rates(br.ID); got != want {
				b.t.Fatalf("resumed: rates = %s, want %s (no change for the sender that is done)", got, want)
			}
			if got := b.rates(br.ID + 1); got != "[]" {
				b.t.Fatalf("an unknown broadcast has rates %s", got)
			}
		},
	})
}
