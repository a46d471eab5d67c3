package broadcast_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/broadcast/sim"
	"smsbot/importer"
)

var errBusy = errors.New("database is locked (SQLITE_BUSY)")

// flakyLoads is a store whose Counts and RemainingBySender, what a run
// loads, fail as many times as armed.
type flakyLoads struct {
	broadcast.Store
	countsLeft, remainingLeft     atomic.Int64 // failures still to give
	countsFailed, remainingFailed atomic.Int64
}

// arm makes the next counts calls of Counts and remaining calls of
// RemainingBySender fail.
func (f *flakyLoads) arm(counts, remaining int64) {
	f.countsLeft.Store(counts)
	f.remainingLeft.Store(remaining)
}

func (f *flakyLoads) Counts(ctx context.Context, id int64) (broadcast.Counts, error) {
	if f.countsLeft.Add(-1) >= 0 {
		f.countsFailed.Add(1)
		return broadcast.Counts{}, errBusy
	}
	return f.Store.Counts(ctx, id)
}

func (f *flakyLoads) RemainingBySender(ctx context.Context, id int64) (map[int64]int, error) {
	if f.remainingLeft.Add(-1) >= 0 {
		f.remainingFailed.Add(1)
		return nil, errBusy
	}
	return f.Store.RemainingBySender(ctx, id)
}

// When the store fails to count a run as it loads, on approval or at a
// restart, the engine retries and the broadcast finishes with the counts
// of its outbox, each recipient texted once.
func TestEngineRetriesRunLoad(t *testing.T) {
	for _, tc := range []struct {
		name              string
		counts, remaining int64
		restart           bool
	}{
		{"Counts fails on approval", 3, 0, false},
		{"RemainingBySender fails on approval", 0, 3, false},
		{"both fail at a restart", 2, 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db := testDB(t)
			fake := clockwork.NewFakeClockAt(t0)
			carrier := sim.New(sim.Config{Clock: fake})
			var fl *flakyLoads
			wrap := func(c *broadcast.Config) {
				fl = &flakyLoads{Store: c.Store}
				c.Store = fl
			}
			b := setup(t, testOpts{clock: fake, sim: carrier, dbPath: db, engine: wrap})
			b.addSenders(t, 10, "+12065550101", "+12065550102")
			phones := b.addContacts(t, "crew", 6, 0)
			if _, err := b.store.OptOut(ctx, phones[5], "test"); err != nil {
				t.Fatal(err)
			}
			phones = phones[:5]
			p, err := b.engine.Prepare(ctx, broadcast.Draft{List: "crew", Body: "Doors open", RequestedBy: "alice"})
			if err != nil {
				t.Fatal(err)
			}
			id := p.Broadcast.ID
			if tc.restart {
				// Approved while the engine is down: the next start loads it.
				if err := b.engine.Close(); err != nil {
					t.Fatal(err)
				}
				if _, err := b.engine.Approve(ctx, id, "bob"); err != nil {
					t.Fatal(err)
				}
				if err := b.store.Close(); err != nil {
					t.Fatal(err)
				}
				b = setup(t, testOpts{clock: fake, sim: carrier, dbPath: db, engine: func(c *broadcast.Config) {
					wrap(c)
					fl.arm(tc.counts, tc.remaining) // the run loads at Start
				}})
			}
			ch, stop, err := b.engine.Subscribe(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			if !tc.restart {
				fl.arm(tc.counts, tc.remaining) // the run loads once approved
				if _, err := b.engine.Approve(ctx, id, "bob"); err != nil {
					t.Fatal(err)
				}
			}
			final := advanceUntil(t, fake, &feed{ch: ch}, 10*time.Millisecond, done)
			want := broadcast.Counts{Total: 6, Sent: 5, Skipped: 1}
			if final.Broadcast.Status != broadcast.StatusCompleted || final.Counts != want {
				t.Fatalf("final: %s %+v, want %+v", final.Broadcast.Status, final.Counts, want)
			}
			if st, err := b.engine.Status(ctx, id); err != nil || !st.Done || st.Counts != want {
				t.Fatalf("status after the end: %+v done %v, %v", st.Counts, st.Done, err)
			}
			if fl.countsFailed.Load() != tc.counts || fl.remainingFailed.Load() != tc.remaining {
				t.Fatalf("store failed Counts %d and RemainingBySender %d times, want %d and %d",
					fl.countsFailed.Load(), fl.remainingFailed.Load(), tc.counts, tc.remaining)
			}
			checkOncePerRecipient(t, carrier.Sent(), phones)
		})
	}
}

// A template's merge fields are rendered for each recipient into the
// outbox: each row holds the text that recipient got and its segments,
// and the preview's total is what was sent.
func TestEngineWritesMergedBodiesToOutbox(t *testing.T) {
	ctx := context.Background()
	fake := clockwork.NewFakeClockAt(t0)
	carrier := sim.New(sim.Config{Clock: fake})
	b := setup(t, testOpts{clock: fake, sim: carrier})
	b.addSenders(t, 100, "+12065550101", "+12065550102")
	long := strings.Repeat("Maximilian", 16) // 2 segments with "Hi "
	for _, m := range []struct{ phone, name string }{
		{"+12065550000", "Ada Lovelace"},
		{"+12065550001", ""},
		{"+12065550005", "Opted Out"},
	} {
		if _, err := b.store.AddMember(ctx, "crew", m.phone, m.name, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.store.OptOut(ctx, "+12065550005", "test"); err != nil {
		t.Fatal(err)
	}
	err := b.store.ImportContacts(ctx, "crew", "test", func(w importer.Writer) error {
		_, err := w.Write(ctx, []importer.Row{
			{Line: 2, Phone: "+12065550002", Fields: map[string]string{"first_name": "Grace"}},
			{Line: 3, Phone: "+12065550003", Name: "Linus Torvalds", Fields: map[string]string{"first_name": long}},
			{Line: 4, Phone: "+12065550004", Name: "Zoë Ångström"},
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		body     string
		segments int
	}{
		"+12065550000": {"Hi Ada", 1},
		"+12065550001": {"Hi there", 1},
		"+12065550002": {"Hi Grace", 1},
		"+12065550003": {"Hi " + long, 2},
		"+12065550004": {"Hi Zoë", 1}, // UCS-2
	}

	p, ch := b.send(t, "crew", "Hi {{first_name|there}}")
	if !p.Personal || p.Example != "Hi Ada" || p.TotalSegments != 6 || p.Recipients() != 5 {
		t.Fatalf("preview: personal %v, example %q, %d segments for %d recipients", p.Personal, p.Example, p.TotalSegments, p.Recipients())
	}
	final := advanceUntil(t, fake, &feed{ch: ch}, 10*time.Millisecond, done)
	if final.Counts.Sent != 5 || final.Counts.Skipped != 1 || final.Broadcast.Status != broadcast.StatusCompleted {
		t.Fatalf("final: %s %+v", final.Broadcast.Status, final.Counts)
	}
	sent := carrier.Sent()
	if len(sent) != len(want) {
		t.Fatalf("carrier has %d texts, want %d", len(sent), len(want))
	}
	rows := readOutbox(t, b.store, p.Broadcast.ID)
	total := 0
	for phone, w := range want {
		texts := textsTo(sent, phone)
		r := rows[phone]
		if len(texts) != 1 || texts[0].Body != w.body {
			t.Errorf("%s got %+v, want one text %q", phone, texts, w.body)
			continue
		}
		if r.Status != string(broadcast.MsgSent) || r.Body != texts[0].Body || r.SID != texts[0].SID {
			t.Errorf("%s: outbox row %+v, but the carrier got %q as %s", phone, r, texts[0].Body, texts[0].SID)
		}
		if got := broadcast.CountSegments(texts[0].Body).Segments; r.Segments != got || got != w.segments {
			t.Errorf("%s: outbox row counts %d segments, the text sent has %d, want %d", phone, r.Segments, got, w.segments)
		}
		total += r.Segments
	}
	if total != p.TotalSegments {
		t.Errorf("outbox holds %d segments, the preview said %d", total, p.TotalSegments)
	}
	if r := rows["+12065550005"]; r.Status != string(broadcast.MsgSkipped) || len(textsTo(sent, "+12065550005")) != 0 {
		t.Errorf("opted-out contact: row %+v", r)
	}
}

// brokenQueue is a store whose outbox writing fails after its first
// batch, as when the disk fills while a broadcast's outbox is written.
type brokenQueue struct {
	broadcast.Store
	written  atomic.Int64 // batches written
	failures atomic.Int64
}

func (q *brokenQueue) QueueBatch(ctx context.Context, b broadcast.Broadcast, after int64, limit int, bal *broadcast.Balancer, tmpl *broadcast.Template, now time.Time) (int64, error) {
	if q.written.Load() >= 1 {
		q.failures.Add(1)
		return 0, errDiskFull
	}
	last, err := q.Store.QueueBatch(ctx, b, after, limit, bal, tmpl, now)
	if err == nil && last != 0 {
		q.written.Add(1)
	}
	return last, err
}

// An engine stopped while a broadcast's outbox is half written (its
// batches fail after the first) leaves it to the next start, which
// completes the outbox and sends each text once.
func TestEngineRestartCompletesHalfWrittenOutbox(t *testing.T) {
	ctx := context.Background()
	db := testDB(t)
	fake := clockwork.NewFakeClockAt(t0)
	carrier := sim.New(sim.Config{Clock: fake})
	var q *brokenQueue
	b := setup(t, testOpts{clock: fake, sim: carrier, dbPath: db, engine: func(c *broadcast.Config) {
		q = &brokenQueue{Store: c.Store}
		c.Store = q
		c.BatchSize = 2
	}})
	b.addSenders(t, 10, "+12065550101")
	phones := b.addContacts(t, "crew", 7, 0)
	p, _ := b.send(t, "crew", "Hi {{first_name|there}}, doors open")
	id := p.Broadcast.ID
	// The first batch goes out while the rest of the outbox cannot be written.
	stepClockUntil(t, fake, 10*time.Millisecond, "the first batch sent and the next failing", func() bool {
		c, err := b.store.Counts(ctx, id)
		return err == nil && c.Sent == 2 && q.failures.Load() >= 3
	})
	counts, err := b.store.Counts(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if counts.Total != 2 || counts.Sent != 2 || len(carrier.Sent()) != 2 {
		t.Fatalf("half-written outbox: %+v with %d texts at the carrier, want the first batch of 2, sent", counts, len(carrier.Sent()))
	}
	if st, err := b.engine.Status(ctx, id); err != nil || st.Done || !st.Preparing {
		t.Fatalf("status while the outbox cannot be written: %+v preparing %v done %v, %v", st.Counts, st.Preparing, st.Done, err)
	}
	if err := b.engine.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.store.Close(); err != nil {
		t.Fatal(err)
	}

	again := setup(t, testOpts{clock: fake, sim: carrier, dbPath: db, engine: func(c *broadcast.Config) { c.BatchSize = 2 }})
	ch, stop, err := again.engine.Subscribe(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	final := advanceUntil(t, fake, &feed{ch: ch}, 10*time.Millisecond, done)
	if final.Broadcast.Status != broadcast.StatusCompleted || final.Counts.Sent != 7 || final.Counts.Total != 7 {
		t.Fatalf("after restart: %s %+v", final.Broadcast.Status, final.Counts)
	}
	checkOncePerRecipient(t, carrier.Sent(), phones)
	for phone, r := range readOutbox(t, again.store, id) {
		if r.Body != "Hi there, doors open" || r.Attempts != 1 {
			t.Errorf("%s: outbox row %+v", phone, r)
		}
	}
}
