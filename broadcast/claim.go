package broadcast

import (
	"time"
)

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
		sendable := false
		for len(rows) > 0 && w.ctx.Err() == nil {
			n := min(len(rows), w.chunk())
			if !w.waitRoom(n) {
				return
			}
			sendable = w.claim(rows[:n]) || sendable
			rows = rows[n:]
		}
		if !sendable {
			// Queued rows of broadcasts this replica does not follow yet
			// (approved on another) or holds back (paused here, not yet
			// in the database): asking again at once would spin until
			// the sync loop catches up, which wakes the worker.
			w.wait(e.cfg.LeaseEvery)
		}
	}
}

// wait waits until the worker is woken, or d passes.
func (w *worker) wait(d time.Duration) {
	t := w.e.clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-w.wakeCh:
	case <-t.Chan():
	case <-w.ctx.Done():
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
// sender meanwhile, are left alone by the store. It reports whether any
// row was of a broadcast this engine sends.
func (w *worker) claim(rows []Message) bool {
	e := w.e
	var batch []Message
	for _, m := range rows {
		if e.sendable(m.BroadcastID) {
			batch = append(batch, m)
		}
	}
	if len(batch) == 0 {
		return false
	}
	at := e.clock.Now()
	ids, err := e.journal.claim(w.ctx, w.from().ID, w.lease.Token, batch)
	if err != nil {
		if w.ctx.Err() == nil {
			e.log.Error("claiming texts failed", "sender_id", w.from().ID, "err", err)
			e.sleep(w.ctx, time.Second)
		}
		return true
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
		m.token = w.lease.Token
		select {
		case w.claimed <- m:
		case <-w.ctx.Done():
			e.release(m)
		}
	}
	return true
}
