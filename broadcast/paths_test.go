package broadcast_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/broadcast/sim"
	"smsbot/store"
)

// flakyLookups is a provider whose Lookup fails while failing is set, as
// Twilio's list does during an outage; it counts both kinds of answer.
type flakyLookups struct {
	broadcast.Provider
	failing atomic.Bool
	failed  atomic.Int64
	worked  atomic.Int64
}

func (f *flakyLookups) Lookup(ctx context.Context, from broadcast.Sender, to string, since time.Time) ([]broadcast.Sent, error) {
	if f.failing.Load() {
		f.failed.Add(1)
		return nil, errors.New("GET /2010-04-01/Accounts/AC…/Messages.json: 503 Service Unavailable")
	}
	f.worked.Add(1)
	return f.Provider.Lookup(ctx, from, to, since)
}

// stepClockUntil moves the fake clock forward in steps, yielding to the
// engine between them, until cond holds; it fails the test after 30 s of
// real time.
func stepClockUntil(t *testing.T, fake *clockwork.FakeClock, step time.Duration, what string, cond func() bool) {
	t.Helper()
	wall := time.After(30 * time.Second)
	for !cond() {
		fake.Advance(step)
		select {
		case <-time.After(200 * time.Microsecond): // a yield, not a wait for timing
		case <-wall:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// outboxRow is one outbox row as the store holds it.
type outboxRow struct {
	Status, Body, SID, ErrorText string
	Segments, Attempts           int
}

// readOutbox returns a broadcast's outbox rows by recipient phone.
func readOutbox(t *testing.T, st *store.Store, id int64) map[string]outboxRow {
	t.Helper()
	rows, err := st.DB().QueryContext(context.Background(), `SELECT to_phone, status, COALESCE(body, ''),
		COALESCE(provider_sid, ''), error_text, segments, attempts FROM messages WHERE broadcast_id = ?`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]outboxRow{}
	for rows.Next() {
		var phone string
		var r outboxRow
		if err := rows.Scan(&phone, &r.Status, &r.Body, &r.SID, &r.ErrorText, &r.Segments, &r.Attempts); err != nil {
			t.Fatal(err)
		}
		out[phone] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// textsTo returns the carrier's texts to phone.
func textsTo(sent []sim.Message, phone string) []sim.Message {
	var out []sim.Message
	for _, m := range sent {
		if m.To == phone {
			out = append(out, m)
		}
	}
	return out
}

// While the provider cannot be asked whether it has an ambiguous text,
// the row stays Sending and nothing is resent; once it answers, the row
// is settled once: with the carrier's SID if it has the text, or by one
// new send if it does not.
func TestEngineLookupFailuresKeepTextInFlight(t *testing.T) {
	for _, carrierHasIt := range []bool{true, false} {
		t.Run(map[bool]string{true: "carrier has the text", false: "carrier lost the text"}[carrierHasIt], func(t *testing.T) {
			const victim = "+12065550001"
			fake := clockwork.NewFakeClockAt(t0)
			carrier := sim.New(sim.Config{Clock: fake, Fault: func(m broadcast.Outgoing, attempt int) (error, bool) {
				if m.To == victim && attempt == 1 {
					return &broadcast.SendError{Class: broadcast.Ambiguous, Message: "no answer", Err: errNoAnswer}, carrierHasIt
				}
				return nil, false
			}})
			var fl *flakyLookups
			b := setup(t, testOpts{clock: fake, sim: carrier, engine: func(c *broadcast.Config) {
				fl = &flakyLookups{Provider: c.Provider}
				fl.failing.Store(true)
				c.Provider = fl
			}})
			ctx := context.Background()
			b.addSenders(t, 100, "+12065550101")
			phones := b.addContacts(t, "crew", 4, 0)
			p, ch := b.send(t, "crew", "Doors open at 7pm")
			id := p.Broadcast.ID
			f := &feed{ch: ch}
			if p := advanceUntil(t, fake, f, time.Millisecond, func(p broadcast.Progress) bool {
				return p.Done || p.Counts.Sent == 3 && fl.failed.Load() >= 5
			}); p.Done {
				t.Fatalf("finished while no lookup worked: %+v", p.Counts)
			}
			want := map[bool]int{true: 1, false: 0}[carrierHasIt]
			for round := range 3 { // a lookup outage of many tries
				counts, err := b.store.Counts(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if counts.Sending != 1 || counts.Sent != 3 || counts.Queued != 0 {
					t.Fatalf("round %d, lookups failing: outbox %+v, want the victim's row still Sending", round, counts)
				}
				if st, err := b.engine.Status(ctx, id); err != nil || st.Done || st.Counts.Sending != 1 {
					t.Fatalf("round %d: status %+v done %v, %v", round, st.Counts, st.Done, err)
				}
				if n := len(textsTo(carrier.Sent(), victim)); n != want {
					t.Fatalf("round %d: the carrier has %d texts to the victim, want %d: resent unseen", round, n, want)
				}
				if r := readOutbox(t, b.store, id)[victim]; r.Attempts != 1 || r.Status != string(broadcast.MsgSending) {
					t.Fatalf("round %d: victim's row %+v", round, r)
				}
				failed := fl.failed.Load()
				stepClockUntil(t, fake, 5*time.Millisecond, "more failed lookups", func() bool { return fl.failed.Load() >= failed+3 })
			}
			if fl.worked.Load() != 0 {
				t.Fatalf("%d lookups worked while failing", fl.worked.Load())
			}

			fl.failing.Store(false)
			final := advanceUntil(t, fake, f, time.Millisecond, done)
			if final.Broadcast.Status != broadcast.StatusCompleted || final.Counts.Sent != 4 || final.Counts.Total != 4 {
				t.Fatalf("final: %s %+v", final.Broadcast.Status, final.Counts)
			}
			fake.Advance(time.Minute) // nothing reconciles or sends again later
			checkOncePerRecipient(t, carrier.Sent(), phones)
			if n := fl.worked.Load(); n != 1 {
				t.Errorf("%d lookups answered after the outage, want the one that settled the row", n)
			}
			texts := textsTo(carrier.Sent(), victim)
			row := readOutbox(t, b.store, id)[victim]
			if len(texts) != 1 || row.Status != string(broadcast.MsgSent) || row.SID != texts[0].SID {
				t.Fatalf("victim's row %+v, carrier's texts %+v", row, texts)
			}
			if wantAttempts := 2 - want; row.Attempts != wantAttempts {
				t.Errorf("victim's row made %d attempts, want %d", row.Attempts, wantAttempts)
			}
		})
	}
}

// A text whose send was ambiguous, in a broadcast cancelled before it is
// reconciled, ends as the carrier says: sent if the carrier has it,
// skipped as cancelled if not. The broadcast's one final report comes
// after that and adds up; a restart in between changes nothing.
func TestEngineReconcilesTextOfCancelledBroadcast(t *testing.T) {
	for _, tc := range []struct {
		name         string
		carrierHasIt bool
		restart      bool
	}{
		{"carrier has the text", true, false},
		{"carrier lost the text", false, false},
		{"carrier has the text, after a restart", true, true},
		{"carrier lost the text, after a restart", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const victim = "+12065550000" // the first row: sent first
			ctx := context.Background()
			db := testDB(t)
			fake := clockwork.NewFakeClockAt(t0)
			tried := make(chan struct{}, 1)
			carrier := sim.New(sim.Config{Clock: fake, Fault: func(m broadcast.Outgoing, attempt int) (error, bool) {
				if m.To == victim && attempt == 1 {
					tried <- struct{}{}
					return &broadcast.SendError{Class: broadcast.Ambiguous, Message: "no answer", Err: errNoAnswer}, tc.carrierHasIt
				}
				return nil, false
			}})
			b := setup(t, testOpts{clock: fake, sim: carrier, dbPath: db, engine: func(c *broadcast.Config) {
				c.ReconcileDelay = time.Minute
			}})
			b.addSenders(t, 1, "+12065550101")
			b.addContacts(t, "crew", 5, 0)
			p, ch := b.send(t, "crew", "Shuttle leaves at 9")
			id := p.Broadcast.ID
			select {
			case <-tried:
			case <-time.After(10 * time.Second):
				t.Fatal("the victim's text was never sent")
			}
			if _, err := b.engine.Cancel(ctx, id, "alice"); err != nil {
				t.Fatal(err)
			}
			f := &feed{ch: ch}
			var final broadcast.Progress
			if !tc.restart {
				final = advanceUntil(t, fake, f, time.Second, done)
				for _, s := range f.seen[:len(f.seen)-1] {
					if s.Done {
						t.Fatalf("a final report before the last: %s %+v", s.Broadcast.Status, s.Counts)
					}
				}
			} else {
				stepClockUntil(t, fake, 10*time.Millisecond, "the cancelled rows to be given back", func() bool {
					c, err := b.store.Counts(ctx, id)
					return err == nil && c.Sending == 1 && c.Queued == 0
				})
				if err := b.engine.Close(); err != nil {
					t.Fatal(err)
				}
				if err := b.store.Close(); err != nil {
					t.Fatal(err)
				}
				again := setup(t, testOpts{clock: fake, sim: carrier, dbPath: db})
				stepClockUntil(t, fake, 10*time.Millisecond, "the victim's row to be reconciled and the end reported", func() bool {
					c, err := again.store.Counts(ctx, id)
					if err != nil || c.Sending != 0 {
						return false
					}
					final, err = again.engine.Status(ctx, id)
					return err == nil && final.Done
				})
				b = again
			}
			c := final.Counts
			if final.Broadcast.Status != broadcast.StatusCancelled || !final.Done || c.Total != 5 ||
				c.Done()+c.Failed+c.Skipped != 5 || c.Remaining() != 0 || c.Failed != 0 {
				t.Fatalf("final: %s done %v %+v", final.Broadcast.Status, final.Done, c)
			}
			sent := carrier.Sent()
			if len(sent) != c.Done() {
				t.Fatalf("carrier has %d texts, report says %d sent", len(sent), c.Done())
			}
			row := readOutbox(t, b.store, id)[victim]
			texts := textsTo(sent, victim)
			switch {
			case tc.carrierHasIt && (len(texts) != 1 || row.Status != string(broadcast.MsgSent) || row.SID != texts[0].SID):
				t.Fatalf("victim's row %+v, carrier's texts %+v; want sent with the carrier's SID", row, texts)
			case !tc.carrierHasIt && (len(texts) != 0 || row.Status != string(broadcast.MsgSkipped) || row.ErrorText != "cancelled"):
				t.Fatalf("victim's row %+v, carrier's texts %+v; want skipped as cancelled", row, texts)
			}
			reasons, err := b.engine.Reasons(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(reasons) != 1 || reasons[0].Text != "cancelled" || reasons[0].Count != c.Skipped {
				t.Fatalf("reasons %+v for %d skipped", reasons, c.Skipped)
			}
		})
	}
}
