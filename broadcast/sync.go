package broadcast

import (
	"context"
	"time"
)

// syncLoop keeps this replica in step with the others sharing the
// database, every LeaseEvery: it takes senders no replica holds and
// follows broadcasts approved, paused, resumed, cancelled or finished on
// other replicas, with their counts read from the database.
func (e *Engine) syncLoop() {
	for {
		// Jitter keeps replicas started together from polling together.
		d := e.cfg.LeaseEvery/2 + time.Duration(e.cfg.Rand()*float64(e.cfg.LeaseEvery/2))
		if !e.sleep(e.ctx, d) {
			return
		}
		ok := e.syncSenders(e.ctx)
		ok = e.syncRuns(e.ctx) && ok
		if ok && e.syncFailing {
			e.syncFailing = false
			e.log.Info("reading the database again; in step with the other replicas")
		}
	}
}

// syncFailed logs a failed sync read: the first of an outage as an error,
// the rest (one every LeaseEvery) at debug level.
func (e *Engine) syncFailed(ctx context.Context, what string, err error) {
	if ctx.Err() != nil {
		return
	}
	if e.syncFailing {
		e.log.Debug(what, "err", err)
		return
	}
	e.syncFailing = true
	e.log.Error(what+"; retrying every LeaseEvery", "err", err)
}

// syncRuns tracks the unfinished broadcasts this replica does not know
// yet, takes the status changes other replicas made, and reloads every
// run's counts from the database (other replicas' texts count too).
func (e *Engine) syncRuns(ctx context.Context) bool {
	unfinished, err := e.store.UnfinishedBroadcasts(ctx)
	if err != nil {
		e.syncFailed(ctx, "reading unfinished broadcasts failed", err)
		return false
	}
	open := make(map[int64]Broadcast, len(unfinished))
	for _, b := range unfinished {
		open[b.ID] = b
	}
	e.mu.Lock()
	var fresh []Broadcast
	var changed []Broadcast
	var ready []int64
	var unwritten []Broadcast
	for id, b := range open {
		r, ok := e.runs[id]
		switch {
		case !ok:
			fresh = append(fresh, b)
		case r.b.Status != b.Status && r.halting == "":
			changed = append(changed, b)
		case !r.ready && !r.preparing && b.Status == StatusSending:
			// Its outbox was another replica's to write: load it once
			// written, or write it if that replica died.
			r.preparing = true
			unwritten = append(unwritten, b)
		}
	}
	for id, r := range e.runs {
		if r.ready {
			ready = append(ready, id)
		}
	}
	e.mu.Unlock()
	for _, b := range fresh {
		e.log.Info("following broadcast started elsewhere", "broadcast_id", b.ID, "status", b.Status)
		e.track(b)
	}
	for _, b := range changed {
		e.refresh(b, "")
	}
	for _, b := range unwritten {
		if !e.goTracked(func() { e.prepare(b) }) {
			e.mu.Lock()
			if r := e.runs[b.ID]; r != nil {
				r.preparing = false
			}
			e.mu.Unlock()
		}
	}
	for _, id := range ready {
		e.reload(id)
	}
	// While another replica writes an outbox, the rows it adds for this
	// replica's senders are sent as they come.
	if len(fresh)+len(changed)+len(unwritten) > 0 {
		e.wakeAll()
	}
	return true
}
