package broadcast

import (
	"context"
	"strconv"
	"sync"
	"time"

	"smsbot/lease"
)

// senderLease names the lease a replica holds while it sends for a sender.
func senderLease(id int64) string { return "sender:" + strconv.FormatInt(id, 10) }

// outboxLease names the lease a replica holds while it writes a
// broadcast's outbox, so that one replica writes it (and another takes
// over if that one dies).
func outboxLease(id int64) string { return "outbox:" + strconv.FormatInt(id, 10) }

// replicaLease names the lease each running engine holds, so that the
// replicas can count each other and share the senders.
func replicaLease(owner string) string { return "replica:" + owner }

// syncSenders takes the leases of enabled senders no replica holds, up to
// this replica's fair share, gives back one beyond it, stops the workers
// of senders removed elsewhere, and settles what a dead replica left in
// flight on removed senders. It reports whether the senders could be read.
func (e *Engine) syncSenders(ctx context.Context) bool {
	senders, err := e.store.Senders(ctx)
	if err != nil {
		e.syncFailed(ctx, "reading senders failed", err)
		return false
	}
	e.setSenders(senders)
	share := e.fairShare(ctx, senders)
	e.mu.Lock()
	held := len(e.workers)
	for id := range e.starting {
		if e.workers[id] == nil {
			held++
		}
	}
	e.mu.Unlock()
	// Which senders have rows in Sending: read once per sync, and only if
	// a removed sender is to be looked at (removed senders pile up).
	var leftover map[int64]bool
	hasLeftover := func(id int64) bool {
		if leftover == nil {
			leftover = map[int64]bool{}
			rows, err := e.store.Sending(ctx)
			if err != nil {
				return false
			}
			for _, m := range rows {
				leftover[m.SenderID] = true
			}
		}
		return leftover[id]
	}
	for _, s := range senders {
		e.mu.Lock()
		w, starting := e.workers[s.ID], e.starting[s.ID]
		e.mu.Unlock()
		switch {
		case w != nil && !s.Enabled:
			// Removed on another replica: what it had claimed goes back
			// to the queue (and follows the contacts to their new number).
			e.log.Info("sender removed; stopping its worker", "sender_id", s.ID)
			e.retire(ctx, w)
			held--
		case w != nil:
			if w.rate() != s.Rate {
				w.setRate(s.Rate)
			}
		case starting:
		case s.Enabled && held < share:
			if e.tryTakeOver(ctx, s) {
				held++
			}
		case !s.Enabled && hasLeftover(s.ID):
			e.settleLeftover(ctx, s)
		}
	}
	if held > share {
		e.giveBackOne(ctx)
	}
	return true
}

// fairShare is how many senders this replica should hold: the enabled
// senders divided among the live replicas, rounded up.
func (e *Engine) fairShare(ctx context.Context, senders []Sender) int {
	enabled := 0
	for _, s := range senders {
		if s.Enabled {
			enabled++
		}
	}
	replicas := 1
	if others, err := e.leases.Others(ctx, "replica:"); err == nil {
		replicas += len(others)
	}
	return (enabled + replicas - 1) / replicas
}

// tryTakeOver acquires a sender's lease and, on a tracked goroutine,
// reconciles the rows its last holder left in flight, then starts its
// worker. It reports whether the lease was taken.
func (e *Engine) tryTakeOver(ctx context.Context, s Sender) bool {
	prev, known, err := e.store.Lease(ctx, senderLease(s.ID))
	if err != nil {
		if ctx.Err() == nil {
			e.log.Warn("reading sender lease failed", "sender_id", s.ID, "err", err)
		}
		return false
	}
	l, err := e.leases.TryAcquire(ctx, senderLease(s.ID))
	if err != nil || l == nil {
		if err != nil && ctx.Err() == nil {
			e.log.Warn("acquiring sender lease failed", "sender_id", s.ID, "err", err)
		}
		return false
	}
	e.mu.Lock()
	if e.workers[s.ID] != nil || e.starting[s.ID] {
		e.mu.Unlock()
		return true
	}
	e.starting[s.ID] = true
	e.mu.Unlock()
	// The last holder sent nothing after its lease expired, nor after now
	// (a process that died). Unless another replica held it in between.
	var lastSend time.Time // never held: nobody sent for it
	if known {
		lastSend = e.clock.Now()
		if prev.Token == l.Token-1 && prev.ExpiresAt.Before(lastSend) {
			lastSend = prev.ExpiresAt
		}
	}
	if !e.goTracked(func() { e.takeOver(s, l, lastSend) }) {
		e.mu.Lock()
		delete(e.starting, s.ID)
		e.mu.Unlock()
	}
	return true
}

// takeOver starts the worker of a sender whose lease was just taken, once
// a full second has passed since its last holder may have sent (so that
// no 1 s window holds both replicas' texts at the full rate), and
// reconciles the rows that holder left in Sending through the provider's
// list. Those rows are not sent again until reconciled: a text the last
// holder sent is found instead.
func (e *Engine) takeOver(s Sender, l *lease.Lease, lastSend time.Time) {
	defer func() {
		e.mu.Lock()
		delete(e.starting, s.ID)
		e.mu.Unlock()
	}()
	// Read before the worker starts: its own claims are not left over.
	rows, ok := e.leftInFlight(s, l)
	if !ok || !e.sleepLease(l, lastSend.Add(time.Second).Sub(e.clock.Now())) {
		return
	}
	e.goTracked(func() { e.reconcileLeft(s, l, lastSend, rows) })
	// Its rate may have changed meanwhile (a change on this replica finds
	// no worker to tell).
	now := s
	if cur, ok := e.senderNow(s.ID); ok {
		now = cur
	}
	if l.Trusted(e.clock.Now()) && e.ctx.Err() == nil {
		e.startWorker(now, l)
	}
}

// senderNow reads one sender as the store has it now.
func (e *Engine) senderNow(id int64) (Sender, bool) {
	senders, err := e.store.Senders(e.ctx)
	if err != nil {
		return Sender{}, false
	}
	for _, s := range senders {
		if s.ID == id {
			return s, true
		}
	}
	return Sender{}, false
}

// leftInFlight reads s's rows in Sending, retrying while the store fails;
// it reports false if the lease or the engine ended first.
func (e *Engine) leftInFlight(s Sender, l *lease.Lease) ([]Message, bool) {
	for attempt := 1; ; attempt++ {
		rows, err := e.store.SendingOf(e.ctx, s.ID)
		if err == nil {
			return rows, true
		}
		e.log.Error("reading texts in flight failed, will retry", "sender_id", s.ID, "err", err)
		if !e.sleepLease(l, e.backoff(attempt, 0)) {
			return nil, false
		}
	}
}

// reconcileLeft reconciles rows s's last holder left in Sending, under l,
// each once the provider's list can show a text created at lastSend, and
// waits for them.
// It reports false if the lease or the engine ended first.
func (e *Engine) reconcileLeft(s Sender, l *lease.Lease, lastSend time.Time, rows []Message) bool {
	var wg sync.WaitGroup
	for _, m := range rows {
		m.token = l.Token
		e.trackOf(m)
		// Twilio's list is eventually consistent: a text created just
		// before its sender changed hands may not be listed yet.
		delay := e.cfg.ReconcileDelay - e.clock.Since(lastSend)
		e.log.Info("reconciling text left in flight", "broadcast_id", m.BroadcastID, "message_id", m.ID, "sender_id", s.ID)
		wg.Add(1)
		if !e.goTracked(func() {
			defer wg.Done()
			if !e.sleepLease(l, delay) {
				return
			}
			if o, ok := e.reconcile(m, s); ok {
				e.journal.record(o)
			}
		}) {
			wg.Done()
		}
	}
	wg.Wait()
	e.journal.do(func() {}) // the outcomes are committed before sending
	return l.Trusted(e.clock.Now()) && e.ctx.Err() == nil
}

// sleepLease waits d unless the engine closes or the lease is lost first.
func (e *Engine) sleepLease(l *lease.Lease, d time.Duration) bool {
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	go func() {
		select {
		case <-l.Lost():
			cancel()
		case <-ctx.Done():
		}
	}()
	return e.sleep(ctx, d)
}

// settleLeftover reconciles the rows a removed sender still has in
// Sending, when no replica does: its holder died before settling them.
func (e *Engine) settleLeftover(ctx context.Context, s Sender) {
	rows, err := e.store.SendingOf(ctx, s.ID)
	if err != nil || len(rows) == 0 {
		return
	}
	l, err := e.leases.TryAcquire(ctx, senderLease(s.ID))
	if err != nil || l == nil {
		return
	}
	e.mu.Lock()
	if e.starting[s.ID] {
		e.mu.Unlock()
		return
	}
	e.starting[s.ID] = true
	e.mu.Unlock()
	if !e.goTracked(func() {
		defer func() {
			e.mu.Lock()
			delete(e.starting, s.ID)
			e.mu.Unlock()
		}()
		if rows, ok := e.leftInFlight(s, l); ok {
			e.reconcileLeft(s, l, e.clock.Now(), rows)
		}
		e.leases.Release(e.ctx, l)
	}) {
		e.mu.Lock()
		delete(e.starting, s.ID)
		e.mu.Unlock()
	}
}
