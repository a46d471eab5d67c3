package broadcast

// sendLoop paces the claimed rows and sends each on its own goroutine,
// with at most inFlightLimit calls at once, each holding a slot of the
// account's Gate. When the worker stops, rows not yet sent are given back
// to the queue.
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
		w.holding.Store(true)
		select {
		case w.room <- struct{}{}:
		default:
		}
		// Slots first, then the pacer: booked only when it can go at
		// once, a text never waits for a slot and then leaves together
		// with the next one, over the rate.
		slot, ok := w.slots()
		if !ok {
			w.holding.Store(false)
			e.release(m)
			return
		}
		switch w.pace(m) {
		case stopped:
			w.unslot(slot)
			w.holding.Store(false)
			e.release(m)
			return
		case held:
			w.unslot(slot)
			w.holding.Store(false)
			e.release(m) // paused or cancelled while it waited
			continue
		}
		w.holding.Store(false)
		w.goActive(func() {
			defer w.unslot(nil)
			e.send(w, m, slot)
		})
	}
}

// slots waits for room among the worker's calls in flight, then for a
// slot of the Gate. It reports false when the worker stops first.
func (w *worker) slots() (*Slot, bool) {
	for int(w.inflight.Load()) >= w.e.inFlightLimit(w) {
		select {
		case <-w.freed:
		case <-w.ctx.Done():
			return nil, false
		}
	}
	w.inflight.Add(1)
	slot, err := w.e.gate.Acquire(w.ctx)
	if err != nil {
		w.unslot(nil)
		return nil, false
	}
	return slot, true
}

// unslot gives back a call's room and, if not given back yet, its Gate
// slot unused.
func (w *worker) unslot(slot *Slot) {
	if slot != nil {
		slot.Release(errUnused)
	}
	w.inflight.Add(-1)
	select {
	case w.freed <- struct{}{}:
	default:
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
		NextAttempt: e.clock.Now(), Token: m.token}
	e.mu.Lock()
	if r := e.runs[m.BroadcastID]; r == nil || r.b.Status == StatusCancelled {
		o.Status, o.ErrorText = MsgSkipped, "cancelled"
	}
	e.mu.Unlock()
	e.journal.record(o)
}
