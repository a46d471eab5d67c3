package broadcast

import (
	"context"
	"regexp"
	"strconv"
)

// MaxRate is the highest sender rate accepted, in segments per second.
const MaxRate = 1000

var (
	e164Re    = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	serviceRe = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)
)

// ParseSenderAddress checks that addr is an E.164 number or a Messaging
// Service SID.
func ParseSenderAddress(addr string) (string, error) {
	if e164Re.MatchString(addr) || serviceRe.MatchString(addr) {
		return addr, nil
	}
	return "", Errorf(EINVALID, "%q is neither an E.164 number like +12065550100 nor a Messaging Service SID like MG0123…", addr)
}

// ParseRate reads a rate in segments per second.
func ParseRate(s string) (float64, error) {
	r, err := strconv.ParseFloat(s, 64)
	if err != nil || r <= 0 || r > MaxRate || r != r {
		return 0, Errorf(EINVALID, "rate %q is not a number more than 0 and at most %d segments per second (1 for a long code, 3 for toll-free, 100 for a short code)", s, MaxRate)
	}
	return r, nil
}

// Senders returns every sender, enabled or not.
func (e *Engine) Senders(ctx context.Context) ([]Sender, error) {
	return e.store.Senders(ctx)
}

// AddSender adds a sender (or re-enables a removed one, or changes the
// rate of an enabled one) and starts sending from it. Contacts never move
// because a sender was added.
func (e *Engine) AddSender(ctx context.Context, addr string, rate float64, actor string) (Sender, bool, error) {
	addr, err := ParseSenderAddress(addr)
	if err != nil {
		return Sender{}, false, err
	}
	if rate <= 0 || rate > MaxRate {
		return Sender{}, false, Errorf(EINVALID, "rate must be more than 0 and at most %d segments per second", MaxRate)
	}
	s, created, err := e.store.AddSender(ctx, addr, rate, actor)
	if err != nil {
		return Sender{}, false, err
	}
	defer e.reloadAll() // contacts left without a number may have moved to it
	e.mu.Lock()
	w := e.workers[s.ID]
	e.mu.Unlock()
	if w != nil {
		w.setRate(s.Rate)
	} else if e.ctx.Err() == nil {
		// Another replica may hold it (a rate change made here): it reads
		// the new rate at its next sync.
		e.tryTakeOver(ctx, s)
	}
	return s, created, nil
}

// RemoveSender stops sending from a sender and moves its contacts, with
// all their unsent texts, to the least-loaded remaining senders for good.
//
// Its worker stops first and its calls in flight are awaited and recorded,
// so the removed number sends nothing after this returns, and rows it had
// claimed go back to the queue before they move. A row still being
// reconciled moves when it is requeued. Removing the last number pauses
// the broadcasts that are sending, saying why; their texts wait for a new
// number.
func (e *Engine) RemoveSender(ctx context.Context, addr, actor string) (int, error) {
	// No outbox is written with a balancer that still has this sender.
	e.queue.Lock()
	defer e.queue.Unlock()
	e.mu.Lock()
	var w *worker
	for _, cand := range e.workers {
		if cand.from().Address == addr {
			w = cand
		}
	}
	e.mu.Unlock()
	if w != nil {
		w.drain()
	}
	moved, err := e.store.RemoveSender(ctx, addr, actor)
	if err != nil {
		if w != nil && ErrorCode(err) != ENOTFOUND {
			e.restartWorker(ctx, w)
		}
		return 0, err
	}
	if w != nil {
		e.retire(ctx, w)
	}
	// Another replica holding it stops its worker at its next sync.
	last := false
	if senders, err := e.store.Senders(ctx); err == nil {
		e.setSenders(senders)
		e.mu.Lock()
		last = len(e.rates) == 0
		e.mu.Unlock()
	}
	e.mu.Lock()
	var ids []int64
	for id := range e.runs {
		ids = append(ids, id)
	}
	e.mu.Unlock()
	for _, id := range ids {
		if last {
			e.halt(id, noSenderNote)
		}
		e.reload(id) // its open rows now count on other senders
	}
	e.wakeAll()
	return moved, nil
}

// noSender pauses the sending broadcasts of an engine that starts with no
// number, and says why the paused ones wait.
func (e *Engine) noSender(unfinished []Broadcast) {
	for _, b := range unfinished {
		switch b.Status {
		case StatusSending:
			e.halt(b.ID, noSenderNote)
		case StatusPaused:
			e.mu.Lock()
			if r := e.runs[b.ID]; r != nil && r.note == "" {
				r.note = noSenderNote
			}
			e.mu.Unlock()
		}
	}
}

// noSenderNote is why a broadcast with nothing to send from is paused.
const noSenderNote = "there is no number to send from: add one with /sms numbers add"

// restartWorker starts a drained worker's sender again after its removal
// failed, with the sender as the store has it now.
func (e *Engine) restartWorker(ctx context.Context, w *worker) {
	senders, err := e.store.Senders(ctx)
	if err != nil {
		e.log.Error("restarting sender failed", "sender_id", w.from().ID, "err", err)
		return
	}
	for _, s := range senders {
		if s.ID == w.from().ID && s.Enabled && e.ctx.Err() == nil {
			e.mu.Lock()
			if e.workers[s.ID] == w {
				delete(e.workers, s.ID)
			}
			e.mu.Unlock()
			e.startWorker(s, w.lease)
		}
	}
}
