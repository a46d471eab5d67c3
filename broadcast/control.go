package broadcast

import (
	"context"
	"errors"
)

// Approve starts sending a pending broadcast, recording approver. A
// broadcast is approved at most once: a second Approve (a double click)
// gets an ECONFLICT error and sends nothing more.
func (e *Engine) Approve(ctx context.Context, id int64, approver string) (Broadcast, error) {
	if err := e.checkClosing(ctx, id); err != nil {
		return Broadcast{}, err
	}
	b, err := e.transition(ctx, id, []Status{StatusPending}, StatusSending, approver)
	if err != nil {
		return Broadcast{}, err
	}
	e.log.Info("broadcast approved", "broadcast_id", id, "requested_by", b.RequestedBy, "approved_by", approver)
	e.track(b)
	return b, nil
}

// Cancel stops a broadcast for good: queued texts are skipped, texts in
// flight finish.
func (e *Engine) Cancel(ctx context.Context, id int64, actor string) (Broadcast, error) {
	b, err := e.transition(ctx, id, []Status{StatusPending, StatusSending, StatusPaused}, StatusCancelled, actor)
	if err != nil {
		return Broadcast{}, err
	}
	e.mu.Lock()
	r := e.runs[id]
	if r != nil {
		// Nothing more is claimed or sent from now on, even while the
		// counts below cannot be read.
		r.b = b
	}
	e.mu.Unlock()
	if r != nil {
		// The counts follow on the journal goroutine, so the final
		// snapshot counts the skipped texts.
		e.reload(id)
	}
	e.wakeAll()
	return b, nil
}

// Pause holds a sending broadcast; texts in flight finish.
func (e *Engine) Pause(ctx context.Context, id int64, actor string) (Broadcast, error) {
	b, err := e.setRunStatus(ctx, id, StatusSending, StatusPaused, actor)
	if err == nil {
		e.wakeAll() // workers waiting to send its texts give them back
	}
	return b, err
}

// Resume continues a paused broadcast. One paused before its outbox was
// complete (there was no number to send from) is prepared again.
func (e *Engine) Resume(ctx context.Context, id int64, actor string) (Broadcast, error) {
	b, err := e.setRunStatus(ctx, id, StatusPaused, StatusSending, actor)
	if err != nil {
		return b, err
	}
	e.recordRates(id) // a rate changed while it was paused
	e.mu.Lock()
	r := e.runs[id]
	again := r != nil && !r.ready && !r.preparing
	if again {
		r.preparing = true
	}
	e.mu.Unlock()
	if again && !e.goTracked(func() { e.prepare(b) }) {
		e.mu.Lock()
		r.preparing = false
		e.mu.Unlock()
	}
	e.wakeAll()
	return b, nil
}

func (e *Engine) setRunStatus(ctx context.Context, id int64, from, to Status, actor string) (Broadcast, error) {
	b, err := e.transition(ctx, id, []Status{from}, to, actor)
	if err != nil {
		return Broadcast{}, err
	}
	e.refresh(b, "")
	return b, nil
}

// refresh sets a tracked run's broadcast after a status change (changed,
// as the transition returned it), sets why the engine paused it (note; ""
// after a person's action), and publishes it. The store is read again
// under e.mu, so of two status changes racing here the later commit is
// what stays; if that read fails, the transition's result stands.
func (e *Engine) refresh(changed Broadcast, note string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.runs[changed.ID]
	if r == nil {
		return
	}
	b, err := e.store.Broadcast(e.ctx, changed.ID)
	if err != nil {
		e.log.Error("reloading broadcast failed; keeping the status just set", "broadcast_id", changed.ID, "err", err)
		b = changed
	}
	r.b, r.note, r.halting = b, note, ""
	if r.ready {
		// A broadcast whose last texts settled while it was paused ends
		// when it is resumed.
		e.settle(r)
		return
	}
	e.hub.publish(e.snapshot(r, false))
	e.notify()
}

// transition wraps Store.Transition, rewording conflicts for the organizer.
func (e *Engine) transition(ctx context.Context, id int64, from []Status, to Status, actor string) (Broadcast, error) {
	b, err := e.store.Transition(ctx, id, from, to, actor, e.clock.Now())
	if ErrorCode(err) != ECONFLICT {
		return b, err
	}
	cur, gerr := e.store.Broadcast(ctx, id)
	if gerr != nil {
		return Broadcast{}, errors.Join(err, gerr)
	}
	return Broadcast{}, conflict(cur, from[0], to)
}

// conflict explains why b cannot go from from to to: approving twice,
// pausing a paused broadcast, anything on one that ended.
func conflict(b Broadcast, from, to Status) error {
	approving := from == StatusPending && to == StatusSending
	switch {
	case b.Status == StatusCancelled:
		return Errorf(ECONFLICT, "broadcast #%d was cancelled; nothing more will be sent", b.ID)
	case b.Status == StatusCompleted && approving:
		return Errorf(ECONFLICT, "broadcast #%d was already approved by %s and has already finished", b.ID, b.ApprovedBy)
	case b.Status == StatusCompleted:
		return Errorf(ECONFLICT, "broadcast #%d has already finished", b.ID)
	case approving:
		return Errorf(ECONFLICT, "broadcast #%d was already approved by %s", b.ID, b.ApprovedBy)
	case b.Status == StatusPending:
		return Errorf(ECONFLICT, "broadcast #%d is waiting for approval", b.ID)
	case to == StatusPaused:
		return Errorf(ECONFLICT, "broadcast #%d is already paused", b.ID)
	case to == StatusSending:
		return Errorf(ECONFLICT, "broadcast #%d is not paused", b.ID)
	}
	return Errorf(ECONFLICT, "broadcast #%d is %s", b.ID, b.Status)
}

// Status returns the current progress of a broadcast.
func (e *Engine) Status(ctx context.Context, id int64) (Progress, error) {
	e.mu.Lock()
	r := e.runs[id]
	if r != nil && r.ready {
		p := e.snapshot(r, false)
		e.mu.Unlock()
		return p, nil
	}
	tracked := r != nil
	e.mu.Unlock()
	b, err := e.store.Broadcast(ctx, id)
	if err != nil {
		return Progress{}, err
	}
	// Tracked but not loaded yet: the outbox is still being written, or
	// complete (just resumed after a restart) and counted here.
	preparing := tracked && !b.Queued
	counts, err := e.store.Counts(ctx, id)
	if err != nil {
		return Progress{}, err
	}
	p := Progress{Broadcast: b, Counts: counts, Done: b.Status.Final() && !tracked, Preparing: preparing}
	if b.ApprovedAt != nil && b.FinishedAt != nil {
		p.Elapsed = b.FinishedAt.Sub(*b.ApprovedAt)
	}
	if b.Status == StatusSending && !preparing && counts.Remaining() > 0 {
		// Not tracked yet (just resumed) or not loaded: the ETA still
		// comes from the outbox.
		left, err := e.store.RemainingBySender(ctx, id)
		if err != nil {
			return Progress{}, err
		}
		e.mu.Lock()
		p.ETA = e.eta(&run{b: b, left: left})
		e.mu.Unlock()
	}
	if b.Status == StatusSending {
		p.Throttled = e.gate.Note()
	}
	return p, nil
}

// Recent returns the progress of the newest broadcasts, newest first.
func (e *Engine) Recent(ctx context.Context, limit int) ([]Progress, error) {
	bs, err := e.store.RecentBroadcasts(ctx, limit)
	if err != nil {
		return nil, err
	}
	out := make([]Progress, 0, len(bs))
	for _, b := range bs {
		p, err := e.Status(ctx, b.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Reasons groups a broadcast's failed and skipped texts by reason.
func (e *Engine) Reasons(ctx context.Context, id int64) ([]Reason, error) {
	return e.store.Reasons(ctx, id)
}

// Subscribe returns a channel that always holds the newest progress of
// broadcast id, and a function to stop. The channel is primed with the
// current state, so a subscriber of a finished broadcast gets its final
// snapshot at once.
func (e *Engine) Subscribe(ctx context.Context, id int64) (<-chan Progress, func(), error) {
	e.mu.Lock()
	if r := e.runs[id]; r != nil {
		defer e.mu.Unlock()
		var first *Progress
		if r.ready {
			p := e.snapshot(r, false)
			first = &p
		}
		ch, stop := e.hub.subscribe(id, first)
		return ch, stop, nil
	}
	e.mu.Unlock()
	p, err := e.Status(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !p.Done && p.Broadcast.Status != StatusPending {
		// Finished between the two looks: the run is gone, so is final now.
		p, err = e.Status(ctx, id)
		if err != nil {
			return nil, nil, err
		}
	}
	ch, stop := e.hub.subscribe(id, &p)
	return ch, stop, nil
}

// Unfinished returns the broadcasts that are sending or paused.
func (e *Engine) Unfinished(ctx context.Context) ([]Broadcast, error) {
	return e.store.UnfinishedBroadcasts(ctx)
}
