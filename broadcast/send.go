package broadcast

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// clockSkew widens reconciliation's time window, in case the provider's
// clock is behind ours.
const clockSkew = 2 * time.Minute

// send makes one provider call for a claimed row, holding slot, and
// records the outcome.
func (e *Engine) send(w *worker, m Message, slot *Slot) {
	from := w.from()
	body, ok := e.body(m)
	if !ok {
		slot.Release(errUnused)
		return // unreachable: a claimed row's run is tracked until it settles
	}
	start := e.clock.Now()
	if !w.lease.Trusted(start) {
		// The lease may be another replica's by now (this one was frozen,
		// or cut off from the database): send nothing. The release is
		// fenced too, so the row waits, Sending, for the new holder.
		slot.Release(errUnused)
		e.release(m)
		return
	}
	// A call in flight finishes even when the engine is closing: cutting it
	// off would only turn a clean answer into an ambiguous one. It is cut
	// off when the lease's trust runs out before it starts (a process
	// frozen just here wakes to a dead context).
	ctx, cancel := context.WithTimeout(context.WithoutCancel(e.ctx), w.lease.TrustedUntil().Sub(start))
	defer cancel()
	ctx = slot.Bind(ctx)
	w.pacer.Left(start, m.Segments)
	sid, err := e.cfg.Provider.Send(ctx, Outgoing{From: from, To: m.To, Body: body})
	now := e.clock.Now()
	slot.Release(err)
	if se := (*SendError)(nil); err == nil || errors.As(err, &se) && se.Class == Permanent {
		e.latency.observe(now.Sub(start)) // a call answered in full
	}
	o := Outcome{MessageID: m.ID, BroadcastID: m.BroadcastID, ContactID: m.ContactID,
		SenderID: m.SenderID, Segments: m.Segments, At: now, Token: m.token}
	if err == nil {
		o.Status, o.ProviderSID = MsgSent, sid
		e.journal.record(o)
		return
	}
	se := classify(err)
	if se.Halt {
		// Every text would fail the same way: stop, and keep them queued.
		// Pausing before the row is given back means that once no text
		// is in flight, no late halt can pause a resumed broadcast again.
		e.halt(m.BroadcastID, se.Message)
		o.Status, o.Release, o.NextAttempt = MsgQueued, true, now
		e.journal.record(o)
		return
	}
	log := e.log.With("broadcast_id", m.BroadcastID, "message_id", m.ID, "attempt", m.Attempts, "class", se.Class.String(), "code", se.Code)
	switch se.Class {
	case Permanent:
		// The provider's message may name the number (21211: "The 'To'
		// number +4917… is not a valid phone number"): debug only.
		log.Info("text refused by provider")
		log.Debug("text refused by provider: its message", "err", se.Message)
		o.Status, o.ErrorCode, o.ErrorText, o.Effect = MsgFailed, se.Code, se.Message, se.Effect
	case Retryable:
		log.Info("send failed, will retry", "err", se)
		o = e.retryOrFail(o, m.Attempts, se)
	default:
		log.Warn("send outcome unknown, reconciling", "err", se)
		e.goReconcile(m, from, e.cfg.ReconcileDelay)
		return
	}
	e.journal.record(o)
}

// halt pauses a broadcast that cannot be sent at all (the provider
// refuses the credentials, no number is left), with the reason shown in
// its progress. Resume once the cause is fixed.
func (e *Engine) halt(id int64, reason string) {
	// The reason is known before the pause commits: a snapshot that sees
	// the paused status first (a reload) shows it too.
	e.setHalting(id, reason)
	b, err := e.store.Transition(e.ctx, id, []Status{StatusSending}, StatusPaused, "smsbot", e.clock.Now())
	if err != nil {
		e.setHalting(id, "")
		return // already paused (another text hit the same wall), or ended
	}
	e.log.Error("broadcast paused by smsbot", "broadcast_id", id, "reason", reason)
	e.refresh(b, reason)
	e.wakeAll()
}

// setHalting records why halt is pausing a run, until refresh sets its
// note.
func (e *Engine) setHalting(id int64, reason string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if r := e.runs[id]; r != nil {
		r.halting = reason
	}
}

// retryOrFail requeues a row with backoff, or fails it once it has used
// its attempts.
func (e *Engine) retryOrFail(o Outcome, attempts int, se *SendError) Outcome {
	o.ErrorCode, o.ErrorText = se.Code, se.Message
	if attempts >= e.cfg.MaxAttempts {
		o.Status = MsgFailed
		o.ErrorText = fmt.Sprintf("gave up after %d attempts: %s", attempts, se.Message)
		return o
	}
	o.Status = MsgQueued
	o.NextAttempt = o.At.Add(e.backoff(attempts, se.RetryAfter))
	return o
}

// body returns the text of a row of a tracked broadcast: its own, when
// merge fields made one, or the broadcast's.
func (e *Engine) body(m Message) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.runs[m.BroadcastID]
	if !ok {
		return "", false
	}
	if m.Body != "" {
		return m.Body, true
	}
	return r.b.Body, true
}

// goReconcile settles a row left in Sending after delay: if the provider
// has the text, the row is Sent with its SID; if not, it is queued to be
// sent again (or failed, once out of attempts). While the provider cannot
// be asked, the row stays Sending and nothing is resent.
func (e *Engine) goReconcile(m Message, from Sender, delay time.Duration) {
	e.goTracked(func() {
		if !e.sleep(e.ctx, delay) {
			return
		}
		o, ok := e.reconcile(m, from)
		if ok {
			e.journal.record(o)
		}
	})
}

func (e *Engine) reconcile(m Message, from Sender) (Outcome, bool) {
	o := Outcome{MessageID: m.ID, BroadcastID: m.BroadcastID, ContactID: m.ContactID,
		SenderID: m.SenderID, Segments: m.Segments, Token: m.token}
	body, tracked := e.body(m)
	if !tracked {
		// The broadcast was cancelled while this text was in flight.
		b, err := e.store.Broadcast(e.ctx, m.BroadcastID)
		if err != nil {
			e.log.Error("reconcile: loading broadcast failed", "broadcast_id", m.BroadcastID, "err", err)
			return o, false
		}
		body = cmp.Or(m.Body, b.Body)
	}
	since := e.clock.Now()
	if m.FirstAttemptAt != nil {
		since = *m.FirstAttemptAt
	}
	since = since.Add(-clockSkew)
	for attempt := 1; ; attempt++ {
		sid, err := e.find(m.To, body, from, since)
		if err == nil {
			o.At = e.clock.Now()
			if sid != "" {
				e.log.Info("reconciled: provider has the text", "message_id", m.ID, "sid", sid)
				o.Status, o.ProviderSID = MsgSent, sid
				return o, true
			}
			if !tracked {
				o.Status, o.ErrorText = MsgSkipped, "cancelled"
				return o, true
			}
			e.log.Info("reconciled: provider does not have the text; sending again", "message_id", m.ID)
			return e.retryOrFail(o, m.Attempts, &SendError{Class: Retryable, Message: "no answer from provider"}), true
		}
		se := classify(err)
		if se.Halt && tracked {
			// Lookups are refused too (the credentials): say so, and keep
			// trying; nothing is resent meanwhile.
			e.halt(m.BroadcastID, se.Message)
		}
		// A lookup's URL holds the recipient (To=+…): the error is for
		// debug; warn says what kind it was.
		e.log.Warn("reconcile: lookup failed, will retry", "message_id", m.ID, "class", se.Class.String(), "code", se.Code)
		e.log.Debug("reconcile: lookup failed", "message_id", m.ID, "err", err)
		if !e.sleep(e.ctx, e.backoff(attempt, 0)) {
			return o, false
		}
	}
}

// find returns the SID of a text to to with body that from's provider
// accepted since since and that no outbox row claims yet, or "".
func (e *Engine) find(to, body string, from Sender, since time.Time) (string, error) {
	slot, err := e.gate.Acquire(e.ctx)
	if err != nil {
		return "", err
	}
	sent, err := e.cfg.Provider.Lookup(slot.Bind(e.ctx), from, to, since)
	slot.Release(err)
	if err != nil {
		return "", err
	}
	// Oldest first: if several match, the earliest belongs to the oldest
	// unsettled attempt.
	var best *Sent
	for i := range sent {
		s := &sent[i]
		if s.To != to || !sameBody(s.Body, body) || s.Created.Before(since) {
			continue
		}
		known, err := e.store.KnownSID(e.ctx, s.SID)
		if err != nil {
			return "", err
		}
		if !known && (best == nil || s.Created.Before(best.Created)) {
			best = s
		}
	}
	if best == nil {
		return "", nil
	}
	return best.SID, nil
}

// sameBody reports whether a body listed by the provider is the one sent.
// Twilio trial accounts prefix bodies ("Sent from your Twilio trial
// account - "), so a listed body may end with ours.
func sameBody(listed, sent string) bool {
	return listed == sent || strings.HasSuffix(listed, " - "+sent)
}
