package broadcast_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/broadcast/sim"
	"smsbot/store"
)

// Benchmarks of the broadcast engine over a real SQLite file. Figures and
// the commands that reproduce them are in docs/BENCHMARKS.md. Run them
// without the race detector:
//
//	go test -run '^$' -bench . ./broadcast/
//
// They build their own engine rather than use setup: setup logs at debug
// level to b.Log (which a benchmark always prints) and keeps every bundle,
// with its carrier's record of every text, reachable until the benchmark
// ends, which would pollute the heap figures of later iterations.

// benchEnv is one engine over a fresh SQLite file, with its senders and one
// list of contacts.
type benchEnv struct {
	store  *store.Store
	engine *broadcast.Engine
	sim    *sim.Provider // nil when another provider is used
}

type benchOpts struct {
	contacts int
	senders  int
	rate     float64 // segments per second per sender
	unpaced  bool
	provider broadcast.Provider // default: the sim carrier, zero latency
	keep     int                // texts the sim carrier remembers (0: its default)
}

const benchList = "everyone"

func newBenchEnv(b *testing.B, o benchOpts) *benchEnv {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{Path: filepath.Join(b.TempDir(), "smsbot.db")})
	if err != nil {
		b.Fatal(err)
	}
	env := &benchEnv{store: st}
	p := o.provider
	if p == nil {
		env.sim = sim.New(sim.Config{Out: io.Discard, Keep: o.keep})
		p = env.sim
	}
	eng, err := broadcast.New(broadcast.Config{Store: st, Provider: p, Unpaced: o.unpaced,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	env.engine = eng
	b.Cleanup(env.close)
	if err := eng.Start(ctx); err != nil {
		b.Fatal(err)
	}
	for i := range o.senders {
		if _, _, err := eng.AddSender(ctx, fmt.Sprintf("+1206444%04d", i), o.rate, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	addContactsBulk(b, st, benchList, o.contacts)
	return env
}

// close stops the engine and closes the database, and drops them so that
// nothing of this environment stays reachable. It may be called twice.
func (env *benchEnv) close() {
	if env.engine != nil {
		env.engine.Close()
		env.store.Close()
	}
	*env = benchEnv{}
}

// addContactsBulk creates list with n new contacts in one transaction of
// three statements (store.AddMember takes one transaction per contact).
func addContactsBulk(b *testing.B, st *store.Store, list string, n int) {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	tx, err := st.DB().DB.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO lists (name, created_at) VALUES (?, ?)`, list, now)
	if err != nil {
		b.Fatal(err)
	}
	listID, err := res.LastInsertId()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
		INSERT INTO contacts (phone, created_at) SELECT printf('+1206%07d', i), ? FROM seq`, n, now); err != nil {
		b.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (list_id, contact_id, added_at)
		SELECT ?, id, ? FROM contacts`, listID, now); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// prepare stores a pending broadcast to the bench list and subscribes to
// its progress.
func (env *benchEnv) prepare(b *testing.B, body string) (int64, <-chan broadcast.Progress, func()) {
	b.Helper()
	ctx := context.Background()
	p, err := env.engine.Prepare(ctx, broadcast.Draft{List: benchList, Body: body, RequestedBy: "alice"})
	if err != nil {
		b.Fatal(err)
	}
	ch, stop, err := env.engine.Subscribe(ctx, p.Broadcast.ID)
	if err != nil {
		b.Fatal(err)
	}
	return p.Broadcast.ID, ch, stop
}

// approveAndWait approves broadcast id and returns its final progress and
// the wall time from the Approve call to the Done snapshot.
func (env *benchEnv) approveAndWait(b *testing.B, id int64, ch <-chan broadcast.Progress) (broadcast.Progress, time.Duration) {
	b.Helper()
	start := time.Now()
	if _, err := env.engine.Approve(context.Background(), id, "bob"); err != nil {
		b.Fatal(err)
	}
	timeout := time.After(5 * time.Minute)
	for {
		select {
		case p := <-ch:
			if p.Done {
				return p, time.Since(start)
			}
		case <-timeout:
			b.Fatal("broadcast did not finish within 5 minutes")
		}
	}
}

func checkAllSent(b *testing.B, p broadcast.Progress, n int) {
	b.Helper()
	if p.Counts.Sent != n || p.Counts.Remaining() != 0 || p.Broadcast.Status != broadcast.StatusCompleted {
		b.Fatalf("final progress = %+v, want %d sent and completed", p, n)
	}
}

// BenchmarkEngineThroughput measures the engine's own cost per text: sim
// carrier with no latency, pacing off, 10 senders, outbox on SQLite. One op
// is one broadcast to 20,000 fresh contacts, timed from Approve to the Done
// progress, so it includes writing the outbox and the senders' sticky
// assignment. Setup (database, senders, contacts) is not timed.
func BenchmarkEngineThroughput(b *testing.B) {
	const recipients, senders = 20_000, 10
	var sending time.Duration
	b.StopTimer()
	for range b.N {
		env := newBenchEnv(b, benchOpts{contacts: recipients, senders: senders, rate: 200, unpaced: true})
		id, ch, stop := env.prepare(b, "Dinner is served in Hall B")
		runtime.GC()
		b.StartTimer()
		p, d := env.approveAndWait(b, id, ch)
		b.StopTimer()
		stop()
		checkAllSent(b, p, recipients)
		sending += d
		env.close()
	}
	msgs := float64(b.N * recipients)
	b.ReportMetric(msgs/sending.Seconds(), "msgs/s")
	b.ReportMetric(float64(sending.Nanoseconds())/msgs, "ns/msg")
}

// BenchmarkRateFidelity sends 20,000 one-segment texts over 10 senders
// paced at 200 segments/s each on the real clock. Each sender may send its
// first segment at once, so its 2,000 segments ideally take 10 s (the last
// one leaves at 9.995 s). Run it with -benchtime=1x: one op takes 10 s.
func BenchmarkRateFidelity(b *testing.B) {
	const recipients, senders, rate = 20_000, 10, 200.0
	ideal := time.Duration(float64(recipients/senders) / rate * float64(time.Second))
	var total time.Duration
	b.StopTimer()
	for range b.N {
		env := newBenchEnv(b, benchOpts{contacts: recipients, senders: senders, rate: rate, keep: recipients})
		id, ch, stop := env.prepare(b, "Dinner is served in Hall B")
		b.StartTimer()
		p, d := env.approveAndWait(b, id, ch)
		b.StopTimer()
		stop()
		checkAllSent(b, p, recipients)
		perSender := map[string]int{}
		for _, m := range env.sim.Sent() {
			perSender[m.From]++
		}
		for from, n := range perSender {
			if n != recipients/senders {
				b.Errorf("sender %s sent %d texts, want %d", from, n, recipients/senders)
			}
		}
		total += d
		env.close()
	}
	avg := total / time.Duration(b.N)
	b.ReportMetric(avg.Seconds(), "s/broadcast")
	b.ReportMetric(100*(avg.Seconds()-ideal.Seconds())/ideal.Seconds(), "%dev")
	b.ReportMetric(float64(recipients)/avg.Seconds(), "msgs/s")
}

// BenchmarkMemoryFlat shows whether the heap grows with the list. It sends
// unpaced broadcasts of 10k, 50k and 100k recipients and samples the heap
// in use (runtime/metrics, no stop-the-world) every 2 ms from Approve to
// Done. "sim" uses the sim carrier, which itself keeps every text it
// accepted (as tests need); "null" uses a carrier that keeps nothing, so
// its figure is the engine's and the SQLite driver's alone.
func BenchmarkMemoryFlat(b *testing.B) {
	for _, carrier := range []string{"sim", "null"} {
		for _, n := range []int{10_000, 50_000, 100_000} {
			b.Run(fmt.Sprintf("carrier=%s/n=%dk", carrier, n/1000), func(b *testing.B) {
				var peak, base, after uint64
				b.StopTimer()
				for range b.N {
					o := benchOpts{contacts: n, senders: 10, rate: 200, unpaced: true}
					if carrier == "null" {
						o.provider = nullProvider{}
					}
					env := newBenchEnv(b, o)
					id, ch, stop := env.prepare(b, "Dinner is served in Hall B")
					runtime.GC()
					base = max(base, heapInUse())
					s := startHeapSampler(2 * time.Millisecond)
					b.StartTimer()
					p, _ := env.approveAndWait(b, id, ch)
					b.StopTimer()
					peak = max(peak, s.stop())
					stop()
					checkAllSent(b, p, n)
					runtime.GC()
					after = max(after, heapInUse())
					env.close()
				}
				const mb = 1 << 20
				b.ReportMetric(float64(peak)/mb, "peak-heap-MB")
				b.ReportMetric(float64(base)/mb, "base-heap-MB")
				b.ReportMetric(float64(after)/mb, "after-gc-heap-MB")
			})
		}
	}
}

// nullProvider accepts every text and remembers none.
type nullProvider struct{}

func (nullProvider) Send(context.Context, broadcast.Outgoing) (string, error) { return "SMnull", nil }

func (nullProvider) Lookup(context.Context, broadcast.Sender, string, time.Time) ([]broadcast.Sent, error) {
	return nil, nil
}

// heapMetrics are the runtime/metrics classes that add up to
// runtime.MemStats.HeapInuse.
var heapMetrics = []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes"}

// heapInUse returns the bytes of heap spans in use (HeapInuse).
func heapInUse() uint64 {
	samples := make([]metrics.Sample, len(heapMetrics))
	for i, name := range heapMetrics {
		samples[i].Name = name
	}
	metrics.Read(samples)
	var sum uint64
	for _, s := range samples {
		sum += s.Value.Uint64()
	}
	return sum
}

type heapSampler struct {
	done chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

// startHeapSampler records the largest heapInUse seen every interval until
// stop, which returns it.
func startHeapSampler(every time.Duration) *heapSampler {
	s := &heapSampler{done: make(chan struct{}), peak: heapInUse()}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				s.peak = max(s.peak, heapInUse())
			case <-s.done:
				s.peak = max(s.peak, heapInUse())
				return
			}
		}
	}()
	return s
}

func (s *heapSampler) stop() uint64 {
	close(s.done)
	s.wg.Wait()
	return s.peak
}
