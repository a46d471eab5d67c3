package modeltest

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/broadcast/twilio"
	"smsbot/broadcast/twilio/twiliotest"
	"smsbot/inbound"
	"smsbot/lease"
	"smsbot/store"
)

// world is one sequence: the database, the fake Twilio, the engine
// incarnations (Options.Engines alive, the others closed or killed), the
// model and what was observed.
type world struct {
	plan   plan
	opts   Options
	ctx    context.Context
	clock  *simClock
	faults faults
	fake   *twiliotest.Server
	dbPath string
	wstore *store.Store // the world's own connection: imports, texts in, checks
	in     *inbound.Service
	wclock clockwork.Clock
	model  *model
	log    *opLog
	// gateway502 is a gateway's error page, for lookups it fails.
	gateway502 []byte
	seq        atomic.Int64

	randMu sync.Mutex
	rand   *rand.Rand

	mu        sync.Mutex
	attempts  []attempt
	requests  map[string]int
	fullUntil time.Time
	broken    []Violation // found while running

	gen     int
	live    []*incarnation  // the live engines by slot (nil while one is replaced); under mu
	past    []*incarnation  // closed or killed; under mu
	leaseIn map[string]bool // senders whose lease two engines trusted at once, reported
	dying   *life           // an armed kill not yet struck
	closing chan struct{}   // closed when the sequence ends
	steps   int             // clock moves so far
	failed  bool            // the sequence cannot go on
}

// incarnation is one engine process.
type incarnation struct {
	gen  int
	slot int
	life *life
	st   *store.Store
	eng  *broadcast.Engine
	// keeper holds the engine's leases; stopKeeper ends its Run (which
	// releases them) and waits for it.
	keeper     *lease.Keeper
	stopKeeper func()
	tr         *http.Transport
	quit       chan struct{}
	once       sync.Once
	subs       sync.WaitGroup
	state      string // "running", "closed" or "killed"
}

func newWorld(ctx context.Context, p plan, opts Options) (*world, error) {
	w := &world{plan: p, opts: opts, ctx: ctx, clock: newSimClock(p.start), faults: p.faults.without(opts.Without),
		dbPath: cmp.Or(opts.Postgres, filepath.Join(opts.Dir, "smsbot.db")), model: newModel(), requests: map[string]int{},
		live: make([]*incarnation, max(1, opts.Engines)), leaseIn: map[string]bool{},
		rand: rand.New(rand.NewPCG(p.seed, 0x7a11)), closing: make(chan struct{})}
	w.log = &opLog{clock: w.clock}
	w.wclock = w.clock.view(newLife(0, w.clock))
	var err error
	if w.gateway502, err = twiliotest.Fixture("gateway_502.html"); err != nil {
		return nil, err
	}
	w.fake = twiliotest.NewServer(twiliotest.Config{Now: w.clock.Now, Fault: w.faults.atFake, Invalid: p.invalid,
		ListDelay: w.faults.listDelay, Concurrency: p.accountLimit()})
	w.wstore, err = store.Open(ctx, store.Config{Path: w.dbPath, Now: w.clock.Now})
	if err != nil {
		w.fake.Close()
		return nil, err
	}
	w.in, err = inbound.New(inbound.Config{Store: w.wstore, Clock: w.wclock})
	if err != nil {
		w.fake.Close()
		w.wstore.Close()
		return nil, err
	}
	return w, nil
}

// next returns the next number of the world's total order of events.
func (w *world) next() int64 { return w.seq.Add(1) }

func (w *world) countRequest(key string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.requests[key]++
	return w.requests[key]
}

func (w *world) recordAttempt(a attempt) {
	w.mu.Lock()
	w.attempts = append(w.attempts, a)
	w.mu.Unlock()
}

func (w *world) diskFull() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.clock.Now().Before(w.fullUntil)
}

func (w *world) violate(inv Invariant, format string, args ...any) {
	w.mu.Lock()
	w.broken = append(w.broken, Violation{Invariant: inv, Detail: fmt.Sprintf(format, args...)})
	w.mu.Unlock()
}

func (w *world) jitter() float64 {
	w.randMu.Lock()
	defer w.randMu.Unlock()
	return w.rand.Float64()
}

// The engines' lease settings, as in production: a sender's lease lasts
// 10 s unless renewed (every TTL/3), and every second each engine syncs
// with the others.
const (
	leaseTTL   = 10 * time.Second
	leaseEvery = time.Second
)

// open makes a new engine incarnation on the database (not started), with
// a lease Keeper of its own, running.
func (w *world) open() (*incarnation, error) {
	w.gen++
	l := newLife(w.gen, w.clock)
	view := w.clock.view(l)
	// Real work the driver waits for: on PostgreSQL the goroutine waits
	// on the network, which the scheduler does not count as busy.
	w.clock.enter()
	st, err := store.Open(w.ctx, store.Config{Path: w.dbPath, Now: w.clock.Now})
	w.clock.leave()
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// One cap for the account, shared by the engine and the provider.
	gate := broadcast.NewGate(broadcast.GateConfig{Clock: view, Name: "Twilio"})
	prov, err := twilio.New(twilio.Config{
		Gate:       gate,
		AccountSID: w.fake.AccountSID(), AuthToken: w.fake.AuthToken(), APIURL: w.fake.URL(),
		Timeout:   5 * time.Minute, // real time; the wire makes timeouts on the virtual clock
		Transport: &wire{base: tr, life: l, clock: view, world: w},
		Now:       view.Now,
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	// Backoff and ReconcileDelay keep the engine's defaults: time is
	// virtual, and reconciliation must wait out the list's delay.
	gs := &gatedStore{Store: st, life: l, full: w.diskFull, sabotage: w.opts.sabotage,
		spin: w.opts.Without["claim spin"], clock: view}
	logger := slog.New(slog.NewTextHandler(w.opts.engineLog(w.gen), &slog.HandlerOptions{Level: slog.LevelInfo}))
	keeper, err := lease.New(lease.Config{Store: gs, Owner: fmt.Sprintf("modeltest/engine-%d", w.gen), TTL: leaseTTL, Clock: view, Logger: logger})
	if err != nil {
		st.Close()
		return nil, err
	}
	eng, err := broadcast.New(broadcast.Config{
		Store:       gs,
		Provider:    prov,
		Clock:       view,
		Logger:      logger,
		Leases:      keeper,
		LeaseEvery:  leaseEvery,
		MaxAttempts: w.plan.maxAttempts,
		InFlight:    w.inFlight(),
		Gate:        gate,
		BatchSize:   w.plan.batch,
		Rand:        w.jitter,
		Unpaced:     w.opts.sabotage == "unpaced",
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	kctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); keeper.Run(kctx) }()
	stop := func() { cancel(); <-done }
	return &incarnation{gen: w.gen, life: l, st: st, eng: eng, keeper: keeper, stopKeeper: stop, tr: tr,
		quit: make(chan struct{}), state: "running"}, nil
}

// inFlight is the engine's fixed calls in flight per sender; a plan's 4
// means none: sized by Little's law at the measured latency.
func (w *world) inFlight() int {
	if w.opts.Without["in-flight limit"] {
		return 64
	}
	if w.plan.inFlight == 4 {
		return 0
	}
	return w.plan.inFlight
}

// watch follows a broadcast's progress on every live engine.
func (w *world) watch(b *bcast) {
	for _, inc := range w.engines() {
		w.watchOn(inc, b)
	}
}

// watchOn follows a broadcast's progress on one engine.
func (w *world) watchOn(inc *incarnation, b *bcast) {
	ch, stop, err := inc.eng.Subscribe(w.ctx, b.id)
	if err != nil {
		w.violate(InvCounts, "B%d: Subscribe on engine %d: %v", b.k, inc.gen, err)
		return
	}
	inc.subs.Add(1)
	go func() {
		defer inc.subs.Done()
		defer stop()
		for {
			select {
			case p := <-ch:
				w.onProgress(inc.gen, b, p)
			case <-inc.quit:
				select {
				case p := <-ch:
					w.onProgress(inc.gen, b, p)
				default:
				}
				return
			}
		}
	}()
}

// onProgress checks one snapshot and keeps the final ones.
func (w *world) onProgress(gen int, b *bcast, p broadcast.Progress) {
	c := p.Counts
	sum := c.Queued + c.Sending + c.Sent + c.Delivered + c.Undelivered + c.Failed + c.Skipped
	if w.lenient() {
		// Left out: see KnownBroken, "replica counts".
	} else if sum != c.Total || c.Queued < 0 || c.Sending < 0 || c.Sent < 0 || c.Failed < 0 || c.Skipped < 0 {
		w.violate(InvCounts, "B%d (engine %d): a progress snapshot does not add up: %s", b.k, gen, fmtCounts(c))
	}
	if !p.Done {
		return
	}
	if !w.lenient() && (c.Remaining() != 0 || !p.Broadcast.Status.Final()) {
		w.violate(InvCounts, "B%d (engine %d): final report with %d texts open, status %s: %s", b.k, gen, c.Remaining(), p.Broadcast.Status, fmtCounts(c))
	}
	w.mu.Lock()
	b.reports = append(b.reports, report{gen: gen, seq: w.next(), status: p.Broadcast.Status, counts: c})
	w.mu.Unlock()
	w.clock.touch()
}

// lenient reports whether the engines' own counts go unchecked during the
// sequence: with several engines and "replica counts" left out.
func (w *world) lenient() bool { return len(w.live) > 1 && w.opts.Without["replica counts"] }

// reported reports whether b has a final report.
func (w *world) reported(b *bcast) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(b.reports) > 0
}

func fmtCounts(c broadcast.Counts) string {
	return fmt.Sprintf("total %d: queued %d, sending %d, sent %d, failed %d, skipped %d",
		c.Total, c.Queued, c.Sending, c.Sent+c.Delivered+c.Undelivered, c.Failed, c.Skipped)
}

// close ends the sequence: it buries every dead engine, so their
// goroutines end, and closes everything.
func (w *world) close() {
	close(w.closing)
	w.mu.Lock()
	all := append([]*incarnation(nil), w.past...)
	w.mu.Unlock()
	all = append(all, w.engines()...)
	for _, inc := range all {
		inc.stopWatching()
		inc.life.bury()
		done := make(chan struct{})
		go func() { inc.eng.Close(); inc.stopKeeper(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			w.violate(InvEnd, "engine %d did not shut down within 10s of burial", inc.gen)
		}
		inc.subs.Wait()
		inc.st.Close()
		inc.tr.CloseIdleConnections()
	}
	w.fake.Close()
	w.wstore.Close()
}

// stopWatching ends the incarnation's progress subscriptions.
func (inc *incarnation) stopWatching() { inc.once.Do(func() { close(inc.quit) }) }

// engineLog is where engine gen logs.
func (o Options) engineLog(gen int) io.Writer {
	if o.EngineLog == nil {
		return io.Discard
	}
	return prefixWriter{o.EngineLog, fmt.Sprintf("engine %d: ", gen)}
}

type prefixWriter struct {
	w      io.Writer
	prefix string
}

func (p prefixWriter) Write(b []byte) (int, error) {
	if _, err := p.w.Write(append([]byte(p.prefix), b...)); err != nil {
		return 0, err
	}
	return len(b), nil
}
