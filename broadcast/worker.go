package broadcast

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"smsbot/lease"
)

// maxClaim caps how many rows a worker claims in one commit.
const maxClaim = 64

// claimAhead is how much sending time a worker claims ahead of its pacer:
// enough that commits never hold up a fast sender, short enough that a
// crash leaves few rows to reconcile.
const claimAhead = 250 * time.Millisecond

// worker drains one sender's queue at the sender's rate, across every
// sending broadcast, oldest broadcast first. It is two goroutines: the
// claimer reads queued rows and claims them (durably Sending) a little
// ahead of time; the sender paces them and makes the provider calls.
type worker struct {
	e     *Engine
	pacer *Pacer
	// inflight counts provider calls in flight; freed is signalled when
	// one returns. holding is set while the sender holds a claimed row.
	inflight atomic.Int32
	freed    chan struct{}
	holding  atomic.Bool
	wakeCh   chan struct{}
	changed  chan struct{} // a broadcast was paused, resumed or cancelled
	claimed  chan Message  // claimed rows waiting for their pacer slot
	room     chan struct{} // signalled when the sender takes a claimed row
	ctx      context.Context
	cancel   context.CancelFunc
	// active counts the worker's goroutines and its provider calls in
	// flight; a stopped worker is drained once it reaches zero.
	active sync.WaitGroup

	// lease is this replica's lease on the sender: claims and outcomes
	// carry its token, and nothing is sent once it is not trusted.
	lease *lease.Lease

	mu     sync.Mutex
	sender Sender
}

func (e *Engine) startWorker(s Sender, l *lease.Lease) {
	rate := s.Rate
	if e.cfg.Unpaced {
		rate = 0
	}
	ctx, cancel := context.WithCancel(e.ctx)
	w := &worker{
		e:       e,
		pacer:   NewPacer(rate, 0),
		freed:   make(chan struct{}, 1),
		wakeCh:  make(chan struct{}, 1),
		changed: make(chan struct{}, 1),
		claimed: make(chan Message, 2*maxClaim),
		room:    make(chan struct{}, 1),
		ctx:     ctx,
		cancel:  cancel,
		sender:  s,
		lease:   l,
	}
	e.mu.Lock()
	e.workers[s.ID] = w
	e.mu.Unlock()
	w.goActive(w.claimLoop)
	w.goActive(w.sendLoop)
	e.goTracked(func() { e.watchLease(w) })
}

func (w *worker) stop() { w.cancel() }

// goActive runs fn on a tracked goroutine that drain waits for.
func (w *worker) goActive(fn func()) {
	w.active.Add(1)
	if !w.e.goTracked(func() { defer w.active.Done(); fn() }) {
		w.active.Done()
	}
}

// drain stops the worker and waits until its calls in flight have
// returned and every outcome and release it recorded is committed.
func (w *worker) drain() {
	w.stop()
	w.active.Wait()
	w.e.journal.do(func() {})
}

// wake makes an idle worker look at its queue again, and a waiting one
// check whether its next text may still go.
func (w *worker) wake() {
	for _, ch := range []chan struct{}{w.wakeCh, w.changed} {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func (w *worker) rate() float64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sender.Rate
}

func (w *worker) from() Sender {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sender
}

func (w *worker) setRate(rate float64) {
	w.mu.Lock()
	w.sender.Rate = rate
	w.mu.Unlock()
	if !w.e.cfg.Unpaced {
		w.pacer.SetRate(rate)
	}
}

// wakeAll wakes every worker.
func (e *Engine) wakeAll() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, w := range e.workers {
		w.wake()
	}
}

// sendable reports whether texts of the broadcast may be claimed or sent now.
func (e *Engine) sendable(id int64) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.runs[id]
	return r != nil && r.b.Status == StatusSending
}
