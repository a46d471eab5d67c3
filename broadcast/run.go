package broadcast

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"
)

// track registers an unfinished broadcast and, on a tracked goroutine,
// prepares it: completes its outbox if needed and loads its counts.
func (e *Engine) track(b Broadcast) {
	e.mu.Lock()
	if _, ok := e.runs[b.ID]; ok {
		e.mu.Unlock()
		return
	}
	r := &run{b: b, preparing: true}
	e.runs[b.ID] = r
	e.mu.Unlock()
	if !e.goTracked(func() { e.prepare(b) }) {
		e.mu.Lock()
		r.preparing = false
		e.mu.Unlock()
	}
}

// prepare writes a run's outbox and loads its counts, retrying with
// backoff while the store fails. With no number to send from, it pauses
// the broadcast, saying why; Resume prepares it again.
func (e *Engine) prepare(b Broadcast) {
	defer func() {
		e.mu.Lock()
		if r := e.runs[b.ID]; r != nil {
			r.preparing = false
		}
		e.mu.Unlock()
	}()
	for attempt := 1; ; attempt++ {
		var err error
		if !b.Queued {
			var mine bool
			if mine, err = e.writeOwnOutbox(b); err == nil && !mine {
				// Another replica writes it: the sync loop loads the run
				// once it is written, or prepares it again if that
				// replica dies first.
				return
			}
			if err == nil {
				b.Queued = true
			}
		}
		if err == nil {
			if err = e.load(b.ID); err == nil {
				return
			}
		}
		if e.ctx.Err() != nil || errors.Is(err, errJournalClosed) {
			return
		}
		if ErrorCode(err) == ECONFLICT {
			e.halt(b.ID, ErrorMessage(err))
			return
		}
		e.log.Error("preparing broadcast failed, will retry", "broadcast_id", b.ID, "attempt", attempt, "err", err)
		if !e.sleep(e.ctx, e.backoff(attempt, 0)) {
			return
		}
	}
}

// writeOwnOutbox writes a broadcast's outbox under its outbox lease. It
// reports false, writing nothing, when another replica holds the lease.
func (e *Engine) writeOwnOutbox(b Broadcast) (bool, error) {
	l, err := e.leases.TryAcquire(e.ctx, outboxLease(b.ID))
	if err != nil || l == nil {
		return false, err
	}
	defer e.leases.Release(e.ctx, l)
	return true, e.writeOutbox(e.ctx, b)
}

// writeOutbox writes a broadcast's outbox rows in batches, waking the
// workers after each so that sending starts before the last row is
// written. Each batch is written by the journal, between its commits, so
// claims of running broadcasts are never held up for long.
func (e *Engine) writeOutbox(ctx context.Context, b Broadcast) error {
	e.queue.Lock()
	defer e.queue.Unlock()
	loads, err := e.store.SenderLoads(ctx)
	if err != nil {
		return err
	}
	bal := NewBalancer(loads)
	var tmpl *Template
	if t, err := ParseTemplate(b.Body); err == nil && t.Personal() {
		tmpl = &t
	}
	after := int64(0)
	for {
		var last int64
		if !e.journal.do(func() { last, err = e.store.QueueBatch(ctx, b, after, e.cfg.BatchSize, bal, tmpl, e.clock.Now()) }) {
			return errJournalClosed
		}
		if err != nil {
			return err
		}
		if last == 0 {
			break
		}
		after = last
		e.wakeAll()
	}
	return e.store.MarkQueued(ctx, b.ID)
}

// load reads a run's counts on the journal goroutine, so that no commit is
// counted twice or missed, and marks the run ready.
func (e *Engine) load(id int64) error {
	e.recordRates(id) // before the run can end: see RateRecorder
	var err error
	ran := e.journal.do(func() {
		var counts Counts
		var left map[int64]int
		if counts, err = e.store.Counts(e.ctx, id); err != nil {
			return
		}
		if left, err = e.store.RemainingBySender(e.ctx, id); err != nil {
			return
		}
		// The status is read under e.mu: a pause or halt that commits
		// meanwhile sets r.b after this, not before (and is not undone).
		e.mu.Lock()
		defer e.mu.Unlock()
		var b Broadcast
		if b, err = e.store.Broadcast(e.ctx, id); err != nil {
			return
		}
		if b.Status == StatusCompleted && counts.Remaining() > 0 {
			// Another replica completed it after the counts were read:
			// read the final ones.
			if counts, err = e.store.Counts(e.ctx, id); err != nil {
				return
			}
			if left, err = e.store.RemainingBySender(e.ctx, id); err != nil {
				return
			}
		}
		r, ok := e.runs[id]
		if !ok {
			return
		}
		r.b, r.counts, r.left, r.ready = b, counts, left, true
		e.settle(r)
	})
	if !ran {
		return errJournalClosed
	}
	if err != nil {
		return fmt.Errorf("load broadcast #%d: %w", id, err)
	}
	e.wakeAll()
	return nil
}

// reload loads a run's counts again (after its rows changed outside the
// journal: cancelled, moved to other senders), retrying on a tracked
// goroutine while the store fails.
func (e *Engine) reload(id int64) {
	if e.tryLoad(id, 0) {
		return
	}
	e.goTracked(func() {
		for attempt := 1; e.sleep(e.ctx, e.backoff(attempt, 0)); attempt++ {
			if e.tryLoad(id, attempt) {
				return
			}
		}
	})
}

// tryLoad loads a run, logging a failure; it reports whether there is
// nothing more to do (loaded, or the engine is closing).
func (e *Engine) tryLoad(id int64, attempt int) bool {
	err := e.load(id)
	if err == nil || errors.Is(err, errJournalClosed) {
		return true
	}
	e.log.Error("reloading broadcast failed, will retry", "broadcast_id", id, "attempt", attempt, "err", err)
	return false
}

// reloadAll reloads every ready run.
func (e *Engine) reloadAll() {
	e.mu.Lock()
	var ids []int64
	for id, r := range e.runs {
		if r.ready {
			ids = append(ids, id)
		}
	}
	e.mu.Unlock()
	for _, id := range ids {
		e.reload(id)
	}
}

// applied updates the runs after a journal commit. It runs on the journal
// goroutine.
func (e *Engine) applied(c Commit, claimed [][]int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	touched := map[int64]*run{}
	for i, ids := range claimed {
		cl := c.Claims[i]
		for _, id := range ids {
			r := e.runs[cl.broadcastOf[id]]
			if r == nil || !r.ready {
				continue
			}
			r.counts.Queued--
			r.counts.Sending++
		}
	}
	for _, o := range c.Outcomes {
		r := e.runs[o.BroadcastID]
		if r == nil || !r.ready || o.Refused {
			// A refused outcome changed nothing: another replica settled
			// the row, and this one's counts learn it at the next reload.
			continue
		}
		switch o.Status {
		case MsgSent:
			r.counts.Sending--
			r.counts.Sent++
			r.left[o.SenderID] -= o.Segments
		case MsgFailed:
			r.counts.Sending--
			r.counts.Failed++
			r.left[o.SenderID] -= o.Segments
		case MsgSkipped:
			r.counts.Sending--
			r.counts.Skipped++
			r.left[o.SenderID] -= o.Segments
		case MsgQueued:
			r.counts.Sending--
			if r.b.Status == StatusCancelled {
				// The store skips rows going back to a cancelled queue.
				r.counts.Skipped++
				r.left[o.SenderID] -= o.Segments
				break
			}
			r.counts.Queued++
			if w := e.workers[o.SenderID]; w != nil {
				w.wake()
			}
		}
		touched[o.BroadcastID] = r
	}
	for _, r := range touched {
		e.settle(r)
	}
}

// settle publishes a run's progress and finishes it when nothing is left.
// Callers hold e.mu.
func (e *Engine) settle(r *run) {
	// A cancelled run's queued rows are skipped by the store at once; its
	// counts show that once reloaded, and only then does it end.
	// Another replica may have completed it: this one's counts come from
	// the database too, and it finishes its run alike.
	finished := r.ready && (r.b.Status == StatusCompleted ||
		r.counts.Remaining() == 0 && (r.b.Status == StatusSending || r.b.Status == StatusCancelled))
	if finished && r.b.Status == StatusSending {
		b, err := e.store.Transition(e.ctx, r.b.ID, []Status{StatusSending}, StatusCompleted, "smsbot", e.clock.Now())
		if ErrorCode(err) == ECONFLICT {
			// Completed (or paused, cancelled) by another replica just
			// now: the next reload shows which.
			id := r.b.ID
			e.goTrackedLocked(func() { e.reload(id) })
			return
		}
		if err != nil {
			e.log.Error("completing broadcast failed, will retry", "broadcast_id", r.b.ID, "err", err)
			if !r.retrying && e.ctx.Err() == nil {
				r.retrying = true
				id := r.b.ID
				e.goTrackedLocked(func() {
					if !e.sleep(e.ctx, e.cfg.BackoffBase) {
						return
					}
					e.mu.Lock()
					r.retrying = false
					e.mu.Unlock()
					e.reload(id)
				})
			}
			return
		}
		r.b = b
		e.log.Info("broadcast completed", "broadcast_id", b.ID, "sent", r.counts.Done(), "failed", r.counts.Failed, "skipped", r.counts.Skipped)
	}
	e.hub.publish(e.snapshot(r, finished))
	if finished {
		delete(e.runs, r.b.ID)
	}
	e.notify()
}

// notify wakes WaitIdle. Callers hold e.mu.
func (e *Engine) notify() {
	close(e.changed)
	e.changed = make(chan struct{})
}

// WaitIdle blocks until no broadcast is sending (paused ones do not
// count) and no text is in flight, or until ctx ends.
func (e *Engine) WaitIdle(ctx context.Context) error {
	for {
		e.mu.Lock()
		busy := false
		for _, r := range e.runs {
			busy = busy || r.b.Status != StatusPaused
		}
		ch := e.changed
		e.mu.Unlock()
		if !busy {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// snapshot builds a Progress of r. Callers hold e.mu.
func (e *Engine) snapshot(r *run, done bool) Progress {
	p := Progress{Broadcast: r.b, Counts: r.counts, Done: done}
	if !r.ready {
		// Not loaded yet: count what the outbox has so far.
		p.Preparing = !r.b.Queued
		if c, err := e.store.Counts(e.ctx, r.b.ID); err == nil {
			p.Counts = c
		}
	}
	switch r.b.Status {
	case StatusPaused:
		p.Note = cmp.Or(r.note, r.halting)
	case StatusSending:
		p.Stalled = e.stall
		p.Throttled = e.gate.Note()
		if r.ready && !done && e.stall == "" {
			p.ETA = e.eta(r)
		}
	}
	if r.b.ApprovedAt != nil {
		end := e.clock.Now()
		if r.b.FinishedAt != nil {
			end = *r.b.FinishedAt
		}
		p.Elapsed = end.Sub(*r.b.ApprovedAt)
	}
	return p
}

// stalled is told by the journal when commits have been failing for a
// while (err) and when they land again (nil). Sending has stopped
// meanwhile; every sending broadcast says why.
func (e *Engine) stalled(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stall = ""
	if err != nil {
		e.log.Error("cannot write to the database; sending is held until it can", "err", err)
		e.stall = "smsbot cannot write to its database (disk full?); sending is held and resumes by itself once it can; nothing is lost"
	} else {
		e.log.Info("database writable again; sending resumes")
	}
	for _, r := range e.runs {
		e.hub.publish(e.snapshot(r, false))
	}
	e.notify()
}

// eta is the time the busiest sender of r needs for its open segments, at
// its rate or at what the account's cap lets it reach (see sendRates).
// Callers hold e.mu.
func (e *Engine) eta(r *run) time.Duration {
	rates := map[int64]float64{}
	for id, segs := range r.left {
		if w := e.workers[id]; w != nil && segs > 0 {
			rates[id] = w.rate()
		} else if rate, ok := e.rates[id]; ok && segs > 0 {
			rates[id] = rate // held by another replica
		}
	}
	var eta time.Duration
	for id, rate := range e.sendRates(rates, float64(r.b.Segments)) {
		eta = max(eta, segmentsTime(r.left[id], rate))
	}
	return eta
}

// segmentsTime is how long n segments take at rate segments per second.
func segmentsTime(n int, rate float64) time.Duration {
	if rate <= 0 {
		return 0
	}
	return time.Duration(float64(n) / rate * float64(time.Second))
}
