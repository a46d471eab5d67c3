package broadcast

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/lease"
)

// Config configures an Engine. Store and Provider are required; every
// other field has a default.
type Config struct {
	Store    Store
	Provider Provider
	Clock    clockwork.Clock // default: the real clock
	Logger   *slog.Logger    // default: discard

	// MaxAttempts caps the provider calls per text (default 10).
	MaxAttempts int
	// BackoffBase and BackoffMax bound the exponential backoff between
	// attempts (defaults 2s and 5m); a provider's Retry-After wins when longer.
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// ReconcileDelay is how long to wait after an ambiguous send before
	// asking the provider whether it has the text (default 5s).
	ReconcileDelay time.Duration
	// Gate caps the provider calls in flight across the account (sends,
	// lookups, staff replies); share it with the provider so that its
	// other calls (polling) count too. Default: a Gate of
	// DefaultConcurrency.
	Gate *Gate
	// InFlight, when set, fixes the calls in flight per sender. By default
	// each sender gets what Little's law says its rate needs at the
	// measured call latency, within its share of the Gate's cap.
	InFlight int
	// Latency is the call latency assumed until calls are measured
	// (default 150ms, a call to Twilio's API).
	Latency time.Duration
	// BatchSize is how many outbox rows are read or written at once
	// (default 500).
	BatchSize int
	// Unpaced ignores the senders' rates. Only benchmarks want this.
	Unpaced bool
	// Rand returns a float in [0,1) for backoff jitter (default math/rand).
	Rand func() float64
	// Leases coordinates the replicas sharing the database: a worker
	// sends for a sender only while it holds the lease sender:<id>.
	// Default: a Keeper of its own over Store, run by Start and stopped by
	// Close. A Keeper passed in is run by its owner, who shares it with
	// the process's other lease holders.
	Leases *lease.Keeper
	// LeaseTTL is the TTL of the Keeper the engine makes when Leases is
	// nil (default 10s; see lease.Config.TTL).
	LeaseTTL time.Duration
	// LeaseEvery is how often the engine tries to take the leases of
	// senders no replica holds, and looks at broadcasts changed by other
	// replicas (default 1s).
	LeaseEvery time.Duration
}

func (c *Config) setDefaults() {
	c.Clock = cmp.Or[clockwork.Clock](c.Clock, clockwork.NewRealClock())
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	c.MaxAttempts = cmp.Or(c.MaxAttempts, 10)
	c.BackoffBase = cmp.Or(c.BackoffBase, 2*time.Second)
	c.BackoffMax = cmp.Or(c.BackoffMax, 5*time.Minute)
	c.ReconcileDelay = cmp.Or(c.ReconcileDelay, 5*time.Second)
	c.Latency = cmp.Or(c.Latency, 150*time.Millisecond)
	if c.Gate == nil {
		c.Gate = NewGate(GateConfig{Clock: c.Clock})
	}
	c.BatchSize = cmp.Or(c.BatchSize, 500)
	c.LeaseEvery = cmp.Or(c.LeaseEvery, time.Second)
	if c.Rand == nil {
		c.Rand = rand.Float64
	}
}

func (c *Config) validate() error {
	switch {
	case c.Store == nil:
		return errors.New("broadcast: Config.Store is required")
	case c.Provider == nil:
		return errors.New("broadcast: Config.Provider is required")
	case c.MaxAttempts < 1:
		return errors.New("broadcast: Config.MaxAttempts must be at least 1")
	}
	return nil
}

// Engine sends approved broadcasts: it writes their outbox, runs one worker
// per enabled sender at that sender's rate, retries, reconciles and
// reports progress. Its methods are safe for concurrent use.
type Engine struct {
	cfg     Config
	store   Store
	clock   clockwork.Clock
	log     *slog.Logger
	journal *journal
	hub     *hub
	gate    *Gate
	latency *latencies // of sends
	leases  *lease.Keeper
	// stopLeases ends the Run of a Keeper the engine made itself, after
	// its workers have drained.
	stopLeases context.CancelFunc
	leasesDone chan struct{}

	ctx       context.Context // cancelled by Close
	cancel    context.CancelFunc
	wg        sync.WaitGroup // every goroutine that may touch the journal
	closeOnce sync.Once

	mu      sync.Mutex
	workers map[int64]*worker // sender ID → worker, for the senders whose lease this replica holds
	// starting marks senders whose lease was just taken and whose texts
	// left in flight are being reconciled before their worker starts.
	starting map[int64]bool
	rates    map[int64]float64 // every enabled sender's rate, as last read
	runs     map[int64]*run    // unfinished broadcasts
	changed  chan struct{}     // closed and replaced when a run changes
	queue    sync.Mutex        // serializes outbox writing (sender assignment)
	stall    string            // why commits are held, while they fail
	// syncFailing is set while the sync loop cannot read the database
	// (used by Start, then by the sync loop alone).
	syncFailing bool
}

// run is the engine's in-memory view of one unfinished broadcast.
type run struct {
	b      Broadcast
	ready  bool // counts loaded: set once the outbox is complete
	counts Counts
	left   map[int64]int // sender ID → open segments
	note   string        // why the engine paused it, if it did
	// preparing is set while its outbox is written and counts loaded.
	preparing bool
	// retrying is set while a failed completion waits to be retried.
	retrying bool
	// halting is why the engine is pausing it, until the pause commits
	// and refresh sets note.
	halting string
}

// New returns an engine. Call Start to resume unfinished work and begin
// sending, and Close to stop.
func New(cfg Config) (*Engine, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Engine{
		cfg:      cfg,
		store:    cfg.Store,
		clock:    cfg.Clock,
		log:      cfg.Logger.With("component", "engine"),
		hub:      newHub(),
		gate:     cfg.Gate,
		latency:  newLatencies(cfg.Latency),
		ctx:      ctx,
		cancel:   cancel,
		workers:  map[int64]*worker{},
		starting: map[int64]bool{},
		rates:    map[int64]float64{},
		runs:     map[int64]*run{},
		changed:  make(chan struct{}),
		leases:   cfg.Leases,
	}
	if e.leases == nil {
		k, err := lease.New(lease.Config{Store: cfg.Store, Clock: cfg.Clock, Logger: cfg.Logger, TTL: cfg.LeaseTTL})
		if err != nil {
			cancel()
			return nil, err
		}
		e.leases = k
		lctx, stop := context.WithCancel(context.Background())
		e.stopLeases, e.leasesDone = stop, make(chan struct{})
		go func() { defer close(e.leasesDone); k.Run(lctx) }()
	}
	e.journal = newJournal(cfg.Store, cfg.Clock, e.log, cfg.BatchSize, e.applied, e.stalled)
	return e, nil
}

// Start resumes every unfinished broadcast (completing half-written
// outboxes), takes the leases of the senders no other replica holds, up
// to its share, and starts their workers once the texts their last holder
// left in flight are reconciled. From then on it keeps in step with the
// other replicas every LeaseEvery.
func (e *Engine) Start(ctx context.Context) error {
	if _, err := e.leases.TryAcquire(ctx, replicaLease(e.leases.Owner())); err != nil {
		return fmt.Errorf("start engine: %w", err)
	}
	senders, err := e.store.Senders(ctx)
	if err != nil {
		return fmt.Errorf("start engine: %w", err)
	}
	unfinished, err := e.store.UnfinishedBroadcasts(ctx)
	if err != nil {
		return fmt.Errorf("start engine: %w", err)
	}
	for _, b := range unfinished {
		e.log.Info("resuming broadcast", "broadcast_id", b.ID, "status", b.Status)
		e.track(b)
	}
	// A broadcast cancelled with texts in flight ends once they are
	// reconciled (by whichever replica takes their sender): until then it
	// is tracked, and its report waits.
	sending, err := e.store.Sending(ctx)
	if err != nil {
		return fmt.Errorf("start engine: %w", err)
	}
	for _, m := range sending {
		e.trackOf(m)
	}
	enabled := 0
	for _, s := range senders {
		if s.Enabled {
			enabled++
		}
	}
	if enabled == 0 {
		e.noSender(unfinished)
	}
	e.syncSenders(ctx)
	e.goTracked(e.syncLoop)
	return nil
}

// Close stops sending. Texts in flight finish and are recorded; queued
// texts stay queued and resume at the next Start. Close may be called more
// than once.
func (e *Engine) Close() error {
	e.closeOnce.Do(e.close)
	return nil
}

func (e *Engine) close() {
	e.mu.Lock()
	e.cancel() // under mu: goTracked adds to wg before this, or not at all
	e.mu.Unlock()
	e.mu.Lock()
	for _, w := range e.workers {
		w.stop()
	}
	e.mu.Unlock()
	e.journal.giveUp()
	e.wg.Wait()
	e.journal.close()
	if e.stopLeases != nil {
		// Released only now: no call of this replica is in flight.
		e.stopLeases()
		<-e.leasesDone
	}
}

// goTracked runs fn on a goroutine that Close waits for. After Close it
// does nothing and reports false.
func (e *Engine) goTracked(fn func()) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.goTrackedLocked(fn)
}

// goTrackedLocked is goTracked for callers that hold e.mu.
func (e *Engine) goTrackedLocked(fn func()) bool {
	if e.ctx.Err() != nil {
		return false
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		fn()
	}()
	return true
}

// sleep waits d on the engine's clock; it returns false if the engine is
// closing.
func (e *Engine) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := e.clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.Chan():
		return true
	case <-ctx.Done():
		return false
	}
}

// backoff returns the wait before attempt+1, with equal jitter: half
// fixed, half random, so retries of a burst spread out.
func (e *Engine) backoff(attempt int, retryAfter time.Duration) time.Duration {
	d := e.cfg.BackoffBase
	for i := 1; i < attempt && d < e.cfg.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, e.cfg.BackoffMax)
	d = d/2 + time.Duration(e.cfg.Rand()*float64(d/2))
	return max(d, retryAfter)
}
