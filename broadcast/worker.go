package broadcast

import (
	"context"
	"sync"
	"time"
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
	e       *Engine
	pacer   *Pacer
	slots   chan struct{} // one per provider call in flight
	wakeCh  chan struct{}
	changed chan struct{} // a broadcast was paused, resumed or cancelled
	claimed chan Message  // claimed rows waiting for their pacer slot
	room    chan struct{} // signalled when the sender takes a claimed row
	ctx     context.Context
	cancel  context.CancelFunc

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
		e:       e,
		pacer:   NewPacer(rate, 0),
		slots:   make(chan struct{}, e.cfg.InFlight),
		wakeCh:  make(chan struct{}, 1),
		changed: make(chan struct{}, 1),
		claimed: make(chan Message, 2*maxClaim),
		room:    make(chan struct{}, 1),
		ctx:     ctx,
		cancel:  cancel,
		sender:  s,
	}
	e.mu.Lock()
	e.workers[s.ID] = w
	e.mu.Unlock()
	e.goTracked(w.claimLoop)
	e.goTracked(w.sendLoop)
}

func (w *worker) stop() { w.cancel() }

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

// chunk is how many rows to claim at once: claimAhead's worth at the
// sender's rate, at least 1, at most maxClaim.
func (w *worker) chunk() int {
	r := w.rate()
	if w.e.cfg.Unpaced || r <= 0 {
		return maxClaim
	}
	return max(1, min(maxClaim, int(r*claimAhead.Seconds())))
}

func (w *worker) claimLoop() {
	e, id := w.e, w.from().ID
	defer w.releaseClaimed() // what the sender could not take before it stopped
	for w.ctx.Err() == nil {
		rows, err := e.store.NextQueued(w.ctx, id, e.clock.Now(), e.cfg.BatchSize)
		if err != nil {
			if w.ctx.Err() == nil {
				e.log.Error("reading queue failed", "sender_id", id, "err", err)
				e.sleep(w.ctx, time.Second)
			}
			continue
		}
		if len(rows) == 0 {
			w.idle()
			continue
		}
		for len(rows) > 0 && w.ctx.Err() == nil {
			n := min(len(rows), w.chunk())
			if !w.waitRoom(n) {
				return
			}
			w.claim(rows[:n])
			rows = rows[n:]
		}
	}
}

// waitRoom waits until the sender has room for n more claimed rows, so
// that at most two chunks are claimed ahead.
func (w *worker) waitRoom(n int) bool {
	for len(w.claimed)+n > max(2*w.chunk(), n) {
		select {
		case <-w.room:
		case <-w.ctx.Done():
			return false
		}
	}
	return true
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

// claim durably moves rows to Sending and hands those it got to the
// sender. Rows of paused or cancelled broadcasts, or moved to another
// sender meanwhile, are left alone by the store.
func (w *worker) claim(rows []Message) {
	e := w.e
	var batch []Message
	for _, m := range rows {
		if e.sendable(m.BroadcastID) {
			batch = append(batch, m)
		}
	}
	if len(batch) == 0 {
		return
	}
	at := e.clock.Now()
	ids, err := e.journal.claim(w.ctx, w.from().ID, batch)
	if err != nil {
		if w.ctx.Err() == nil {
			e.log.Error("claiming texts failed", "sender_id", w.from().ID, "err", err)
			e.sleep(w.ctx, time.Second)
		}
		return
	}
	got := make(map[int64]bool, len(ids))
	for _, id := range ids {
		got[id] = true
	}
	for _, m := range batch {
		if !got[m.ID] {
			continue
		}
		m.Attempts++
		if m.FirstAttemptAt == nil {
			m.FirstAttemptAt = &at
		}
		select {
		case w.claimed <- m:
		case <-w.ctx.Done():
			e.release(m)
		}
	}
}

// sendLoop paces the claimed rows and sends each on its own goroutine,
// with at most InFlight calls at once. When the worker stops, rows not yet
// sent are given back to the queue.
func (w *worker) sendLoop() {
	e := w.e
	defer w.releaseClaimed()
	for {
		var m Message
		select {
		case m = <-w.claimed:
		case <-w.ctx.Done():
			return
		}
		select {
		case w.room <- struct{}{}:
		default:
		}
		switch w.pace(m) {
		case stopped:
			e.release(m)
			return
		case held:
			e.release(m) // paused or cancelled while it waited
			continue
		}
		select {
		case w.slots <- struct{}{}:
		case <-w.ctx.Done():
			e.release(m)
			return
		}
		e.goTracked(func() {
			defer func() { <-w.slots }()
			e.send(w, m)
		})
	}
}

// paced is what pace decided.
type paced int

const (
	ready   paced = iota // m may go now; its segments are booked
	held                 // its broadcast is paused or cancelled
	stopped              // the worker is stopping
)

// pace waits until the pacer lets m go and books it, unless m's broadcast
// is paused or cancelled first.
func (w *worker) pace(m Message) paced {
	e := w.e
	for {
		if !e.sendable(m.BroadcastID) {
			return held
		}
		now := e.clock.Now()
		d := w.pacer.Delay(now, m.Segments)
		if d == 0 {
			w.pacer.Take(now, m.Segments)
			return ready
		}
		t := e.clock.NewTimer(d)
		select {
		case <-t.Chan():
		case <-w.changed:
			t.Stop()
		case <-w.ctx.Done():
			t.Stop()
			return stopped
		}
	}
}

// releaseClaimed gives back the rows claimed but not sent when the worker
// stops.
func (w *worker) releaseClaimed() {
	for {
		select {
		case m := <-w.claimed:
			w.e.release(m)
		default:
			return
		}
	}
}

// release gives a claimed row that was not sent back to the queue (or
// skips it, if its broadcast was cancelled).
func (e *Engine) release(m Message) {
	o := Outcome{MessageID: m.ID, BroadcastID: m.BroadcastID, ContactID: m.ContactID,
		SenderID: m.SenderID, Segments: m.Segments, At: e.clock.Now(), Release: true, Status: MsgQueued,
		NextAttempt: e.clock.Now()}
	e.mu.Lock()
	if r := e.runs[m.BroadcastID]; r == nil || r.b.Status == StatusCancelled {
		o.Status, o.ErrorText = MsgSkipped, "cancelled"
	}
	e.mu.Unlock()
	e.journal.record(o)
}

// sendable reports whether texts of the broadcast may be claimed or sent now.
func (e *Engine) sendable(id int64) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.runs[id]
	return r != nil && r.b.Status == StatusSending
}
