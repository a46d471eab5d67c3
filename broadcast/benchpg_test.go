package broadcast_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/store"
)

// BenchmarkEngineThroughputPostgres is BenchmarkEngineThroughput on
// PostgreSQL (SMSBOT_TEST_POSTGRES, a fresh schema per op, commits
// durable: synchronous_commit on), with one and with two replicas. Each
// replica is an engine with its own store (its own pool) and lease
// Keeper, sending on its own sim carrier with no latency, pacing off, 10
// senders between them. One op is one broadcast to 20,000 new contacts,
// approved on the first replica, timed from Approve until every replica
// reports it Done. Before the op, the senders are split (5 each with two
// replicas) and a warm-up broadcast has gone out from all of them, so the
// op measures steady sending, not the takeover. Figures are in
// docs/BENCHMARKS.md; run it with -benchtime=1x.
func BenchmarkEngineThroughputPostgres(b *testing.B) {
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) { benchPostgres(b, n) })
	}
}

const pgBenchRecipients, pgBenchSenders, pgBenchWarmup = 20_000, 10, 200

func benchPostgres(b *testing.B, replicas int) {
	var sending time.Duration
	var second int64 // texts sent by the replicas after the first
	b.StopTimer()
	for range b.N {
		rs := startPGCluster(b, replicas)
		first := rs[0]
		ctx := context.Background()
		for i := range pgBenchSenders {
			if _, _, err := first.engine.AddSender(ctx, fmt.Sprintf("+1206444%04d", i), 200, "bench"); err != nil {
				b.Fatal(err)
			}
		}
		addContactsPG(b, first.store, "warmup", "+1425", pgBenchWarmup)
		addContactsPG(b, first.store, benchList, "+1206", pgBenchRecipients)
		share := pgBenchSenders / replicas
		pgWaitFor(b, "the senders to be split between the replicas", func() bool {
			for _, r := range rs {
				if r.senders() != share {
					return false
				}
			}
			return true
		})
		// Every sender's worker runs once its texts arrive at the carrier
		// (a worker starts a second after the lease's last holder let go).
		pgBroadcast(b, rs, "warmup", "Doors open at 6", pgBenchWarmup, false)
		for i, r := range rs {
			if got := r.carrier.numbers(); got != share {
				b.Fatalf("replica %d's warm-up came from %d numbers, want %d", i+1, got, share)
			}
			r.carrier.reset()
		}
		analyzePG(b, first.store)
		runtime.GC()
		d := pgBroadcast(b, rs, benchList, "Dinner is served in Hall B", pgBenchRecipients, true)
		sending += d
		for _, r := range rs[1:] {
			second += r.carrier.count()
		}
		for _, r := range rs {
			r.close()
		}
	}
	msgs := float64(b.N * pgBenchRecipients)
	b.ReportMetric(msgs/sending.Seconds(), "texts/s")
	b.ReportMetric(float64(sending.Nanoseconds())/msgs, "ns/text")
	if replicas > 1 {
		b.ReportMetric(100*float64(second)/msgs, "%by-others")
	}
}

// pgBroadcast sends list's broadcast from the first replica and returns
// the time from Approve until every replica reports it Done, having
// checked that each of n recipients got one text. A timed broadcast
// counts in the benchmark's ns/op.
func pgBroadcast(b *testing.B, rs []*pgReplica, list, body string, n int, timed bool) time.Duration {
	b.Helper()
	ctx := context.Background()
	p, err := rs[0].engine.Prepare(ctx, broadcast.Draft{List: list, Body: body, RequestedBy: "alice"})
	if err != nil {
		b.Fatal(err)
	}
	chans := make([]<-chan broadcast.Progress, len(rs))
	for i, r := range rs {
		ch, stop, err := r.engine.Subscribe(ctx, p.Broadcast.ID)
		if err != nil {
			b.Fatal(err)
		}
		defer stop()
		chans[i] = ch
	}
	if timed {
		b.StartTimer()
	}
	start := time.Now()
	if _, err := rs[0].engine.Approve(ctx, p.Broadcast.ID, "bob"); err != nil {
		b.Fatal(err)
	}
	finals := make([]broadcast.Progress, len(rs))
	timeout := time.After(5 * time.Minute)
	for i, ch := range chans {
	wait:
		for {
			select {
			case p := <-ch:
				if p.Done {
					finals[i] = p
					break wait
				}
			case <-timeout:
				b.Fatalf("replica %d: broadcast %q did not finish within 5 minutes", i+1, list)
			}
		}
	}
	d := time.Since(start)
	if timed {
		b.StopTimer()
	}
	for i, p := range finals {
		if p.Counts.Sent != n || p.Counts.Remaining() != 0 || p.Broadcast.Status != broadcast.StatusCompleted {
			b.Fatalf("replica %d's final progress: %s %+v, want %d sent and completed", i+1, p.Broadcast.Status, p.Counts, n)
		}
	}
	got := map[string]int{}
	for _, r := range rs {
		r.carrier.recipients(got)
	}
	if len(got) != n {
		b.Fatalf("%d recipients got texts, want %d", len(got), n)
	}
	for _, k := range got {
		if k != 1 {
			b.Fatalf("a recipient got %d texts, want 1", k)
		}
	}
	return d
}

// addContactsPG creates list with n new contacts whose numbers start with
// prefix, in one transaction of two statements (PostgreSQL's SQL).
func addContactsPG(b *testing.B, st *store.Store, list, prefix string, n int) {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	tx, err := st.DB().DB.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	var listID int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO lists (name, created_at) VALUES ($1, $2) RETURNING id`, list, now).Scan(&listID); err != nil {
		b.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `WITH c AS (INSERT INTO contacts (phone, created_at)
			SELECT $1 || lpad(i::text, 7, '0'), $2 FROM generate_series(1, $3::int) AS i RETURNING id)
		INSERT INTO memberships (list_id, contact_id, added_at) SELECT $4, id, $2 FROM c`, prefix, now, n, listID); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// analyzePG gathers the planner's statistics of the tables just filled,
// as autovacuum would have by the time a list imported earlier is sent
// to: without them PostgreSQL guesses a few dozen members, and reads
// every member above the cursor for each batch of the outbox.
func analyzePG(b *testing.B, st *store.Store) {
	b.Helper()
	if _, err := st.DB().DB.ExecContext(context.Background(), `ANALYZE contacts, memberships, assignments, messages`); err != nil {
		b.Fatal(err)
	}
}
