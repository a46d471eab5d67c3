package broadcast

import (
	"context"
)

// retire stops a worker for good on this replica: its calls in flight
// finish and are recorded, what it had claimed goes back to the queue,
// and its lease is released for another replica (or this one) to take.
func (e *Engine) retire(ctx context.Context, w *worker) {
	w.drain()
	e.mu.Lock()
	if e.workers[w.from().ID] == w {
		delete(e.workers, w.from().ID)
	}
	e.mu.Unlock()
	e.leases.Release(ctx, w.lease)
}

// giveBackOne retires the worker of the least busy sender this replica
// holds, so that a replica with less than its share can take it.
func (e *Engine) giveBackOne(ctx context.Context) {
	e.mu.Lock()
	var pick *worker
	for _, w := range e.workers {
		if pick == nil || w.from().ID > pick.from().ID {
			pick = w
		}
	}
	e.mu.Unlock()
	if pick != nil {
		e.log.Info("giving a sender to another replica", "sender_id", pick.from().ID)
		e.retire(ctx, pick)
	}
}

// watchLease stops w at once when its lease is lost: nothing more is
// claimed or sent, and its rows in Sending wait for the lease's next
// holder to reconcile them.
func (e *Engine) watchLease(w *worker) {
	select {
	case <-w.ctx.Done():
		return
	case <-w.lease.Lost():
	}
	if e.ctx.Err() != nil {
		return
	}
	e.mu.Lock()
	mine := e.workers[w.from().ID] == w
	if mine {
		delete(e.workers, w.from().ID)
	}
	e.mu.Unlock()
	if mine {
		e.log.Error("lost lease; stopped sending", "lease", w.lease.Name, "sender_id", w.from().ID)
	}
	w.stop()
}

// trackOf tracks the broadcast of a row left in Sending, so that its
// report waits for the row: a broadcast cancelled with texts in flight
// ends once they are reconciled.
func (e *Engine) trackOf(m Message) {
	e.mu.Lock()
	_, ok := e.runs[m.BroadcastID]
	e.mu.Unlock()
	if ok {
		return
	}
	b, err := e.store.Broadcast(e.ctx, m.BroadcastID)
	if err != nil {
		e.log.Error("loading broadcast of a text in flight failed", "broadcast_id", m.BroadcastID, "err", err)
		return
	}
	e.track(b)
}

// setSenders keeps the senders' rates, for ETAs that count the senders
// other replicas hold.
func (e *Engine) setSenders(senders []Sender) {
	rates := make(map[int64]float64, len(senders))
	for _, s := range senders {
		if s.Enabled {
			rates[s.ID] = s.Rate
		}
	}
	e.mu.Lock()
	e.rates = rates
	e.mu.Unlock()
}
