package broadcast

import (
	"context"
	"sync"
	"time"
)

// maxClaim caps how many rows a worker claims in one commit.
const maxClaim = 64

// worker drains one sender's queue at the sender's rate, across every
// sending broadcast, oldest broadcast first.
type worker struct {
	e      *Engine
	pacer  *Pacer
	slots  chan struct{} // one per provider call in flight
	wakeCh chan struct{}
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	sender Sender
}

func (e *Engine) startWorker(s Sender) {
	rate := s.Rate
	if e.cfg.Unpaced {
		rate = 0
	}
	ctx, cancel := context.WithCancel(e.ctx)
	w := &worker{
		e:      e,
		pacer:  NewPacer(rate, 0),
		slots:  make(chan struct{}, e.cfg.InFlight),
		wakeCh: make(chan struct{}, 1),
		ctx:    ctx,
		cancel: cancel,
		sender: s,
	}
	e.mu.Lock()
	e.workers[s.ID] = w
	e.mu.Unlock()
	e.goTracked(w.loop)
}

func (w *worker) stop() { w.cancel() }

// wake makes an idle worker look at its queue again.
func (w *worker) wake() {
	select {
	case w.wakeCh <- struct{}{}:
	default:
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

func (w *worker) loop() {
	e, id := w.e, w.from().ID
	log := e.log.With("sender_id", id)
	for w.ctx.Err() == nil {
		rows, err := e.store.NextQueued(w.ctx, id, e.clock.Now(), e.cfg.BatchSize)
		if err != nil {
			if w.ctx.Err() == nil {
				log.Error("reading queue failed", "err", err)
				e.sleep(w.ctx, time.Second)
			}
			continue
		}
		if len(rows) == 0 {
			w.idle()
			continue
		}
		w.drain(rows)
	}
}

// idle waits until the sender's next retry is due or the worker is woken.
func (w *worker) idle() {
	e := w.e
	var due <-chan time.Time
	next, ok, err := e.store.NextDue(w.ctx, w.from().ID)
	if err != nil && w.ctx.Err() == nil {
		e.log.Error("reading queue failed", "sender_id", w.from().ID, "err", err)
		next, ok = e.clock.Now().Add(time.Second), true
	}
	if ok {
		t := e.clock.NewTimer(max(next.Sub(e.clock.Now()), time.Millisecond))
		defer t.Stop()
		due = t.Chan()
	}
	select {
	case <-w.wakeCh:
	case <-due:
	case <-w.ctx.Done():
	}
}

// drain sends rows in order. It books each row with the pacer and a
// provider slot, claims as many as are ready in one commit, then sends
// them.
func (w *worker) drain(rows []Message) {
	e := w.e
	for len(rows) > 0 && w.ctx.Err() == nil {
		var batch []Message
		for len(rows) > 0 && len(batch) < maxClaim {
			m := rows[0]
			if !e.sendable(m.BroadcastID) {
				rows = rows[1:]
				continue
			}
			now := e.clock.Now()
			if d := w.pacer.Delay(now, m.Segments); d > 0 {
				if len(batch) > 0 {
					break
				}
				if !e.sleep(w.ctx, d) {
					return
				}
				continue
			}
			if !w.acquire(len(batch) == 0) {
				break
			}
			w.pacer.Take(now, m.Segments)
			batch = append(batch, m)
			rows = rows[1:]
		}
		if len(batch) == 0 {
			continue
		}
		w.claimAndSend(batch)
	}
}

// acquire takes a provider slot, waiting for one only if wait is set.
func (w *worker) acquire(wait bool) bool {
	if !wait {
		select {
		case w.slots <- struct{}{}:
			return true
		default:
			return false
		}
	}
	select {
	case w.slots <- struct{}{}:
		return true
	case <-w.ctx.Done():
		return false
	}
}

func (w *worker) claimAndSend(batch []Message) {
	e := w.e
	at := e.clock.Now()
	ids, err := e.journal.claim(w.ctx, w.from().ID, batch)
	if err != nil {
		for range batch {
			<-w.slots
		}
		if w.ctx.Err() == nil {
			e.log.Error("claiming texts failed", "sender_id", w.from().ID, "err", err)
			e.sleep(w.ctx, time.Second)
		}
		return
	}
	claimed := make(map[int64]bool, len(ids))
	for _, id := range ids {
		claimed[id] = true
	}
	for _, m := range batch {
		if !claimed[m.ID] {
			<-w.slots // paused, cancelled or moved meanwhile
			continue
		}
		m.Attempts++
		if m.FirstAttemptAt == nil {
			m.FirstAttemptAt = &at
		}
		e.goTracked(func() {
			defer func() { <-w.slots }()
			e.send(w, m)
		})
	}
}

// sendable reports whether texts of the broadcast may be claimed now.
func (e *Engine) sendable(id int64) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.runs[id]
	return r != nil && r.b.Status == StatusSending
}
