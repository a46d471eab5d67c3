package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"smsbot/broadcast"
	"smsbot/lease"
)

// tallyLease names the lease under which one replica edits poll id's
// tally message.
func tallyLease(id int64) string { return fmt.Sprintf("tally:%d", id) }

// showTally posts poll id's tally in conv, records it for the other
// replicas (in a SharedConversation) and follows it. It does nothing for
// a broadcast that is not a poll.
func (r *Router) showTally(ctx context.Context, id int64, conv Conversation) {
	if r.cfg.Polls == nil || r.followsTally(id) {
		return
	}
	t, err := r.cfg.Polls.Tally(ctx, id)
	if broadcast.ErrorCode(err) == broadcast.ENOTFOUND {
		return // not a poll
	} else if err != nil {
		r.log.Error("reading tally failed", "poll", id, "err", Redact(err))
		return
	}
	if t, err = r.closeIfDue(ctx, t); err != nil {
		return
	}
	m := r.tallyMessage(t, r.pollList(ctx, id))
	ref, err := conv.Post(ctx, m)
	if err != nil {
		r.log.Error("posting tally failed", "poll", id, "err", Redact(err))
		return
	}
	if platform, shared := r.shared(conv); shared {
		if err := r.cfg.Polls.SaveTallyRef(ctx, id, platform, string(ref), r.clock.Now()); err != nil {
			r.log.Error("recording tally message failed", "poll", id, "err", Redact(err))
		}
	}
	r.followTally(id, ref, conv, fingerprint(m))
}

// pollList names the list poll id went to.
func (r *Router) pollList(ctx context.Context, id int64) string {
	if p, err := r.engine.Status(ctx, id); err == nil {
		return targetName(p.Broadcast)
	}
	return "?"
}

// followsTally reports whether this router follows poll id's tally.
func (r *Router) followsTally(id int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tallies[id]
}

// followTally edits the tally message ref of poll id in a goroutine of
// its own, at most every ProgressEvery and only when it would change,
// closes the poll at its closing time, and stops once the closed tally
// is shown (or at Close). shown is what ref shows now. In a
// SharedConversation it edits only while it holds the poll's tally
// lease, trying to take it at each turn, so that one replica edits and
// another continues when it stops.
func (r *Router) followTally(id int64, ref Ref, conv Conversation, shown string) {
	r.mu.Lock()
	if r.tallies[id] || r.ctx.Err() != nil {
		r.mu.Unlock()
		return
	}
	r.tallies[id] = true
	r.watchers.Add(1)
	r.mu.Unlock()
	_, shared := r.shared(conv)
	go func() {
		defer r.watchers.Done()
		defer func() {
			r.mu.Lock()
			delete(r.tallies, id)
			r.mu.Unlock()
		}()
		var held *lease.Lease
		defer func() {
			if held != nil {
				r.cfg.Leases.Release(context.Background(), held)
			}
		}()
		tick := r.clock.NewTicker(r.cfg.ProgressEvery)
		defer tick.Stop()
		list := "" // who the poll went to, read at the first turn
		for {
			select {
			case <-r.ctx.Done():
				return
			case <-tick.Chan():
			}
			if shared {
				if held = r.holdTally(id, held); held == nil {
					continue // another replica edits it
				}
			}
			if r.tallyTurn(id, ref, conv, &shown, &list) {
				return
			}
		}
	}()
}

// holdTally returns the tally lease of poll id if this replica holds it
// or can take it now, else nil.
func (r *Router) holdTally(id int64, held *lease.Lease) *lease.Lease {
	if held != nil {
		select {
		case <-held.Lost():
		default:
			return held
		}
	}
	ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
	defer cancel()
	l, err := r.cfg.Leases.TryAcquire(ctx, tallyLease(id))
	if err != nil && !errors.Is(err, lease.ErrClosed) && r.ctx.Err() == nil {
		r.log.Warn("taking tally lease failed", "poll", id, "err", Redact(err))
	}
	return l
}

// tallyTurn closes poll id if its time has come, and edits ref if the
// tally changed. It reports whether the poll is closed and shown so.
// list names who the poll went to; it is read once, at the first turn.
func (r *Router) tallyTurn(id int64, ref Ref, conv Conversation, shown, list *string) bool {
	ctx, cancel := context.WithTimeout(r.ctx, 30*time.Second)
	defer cancel()
	t, err := r.cfg.Polls.Tally(ctx, id)
	if err != nil {
		if r.ctx.Err() == nil {
			r.log.Error("reading tally failed", "poll", id, "err", Redact(err))
		}
		return broadcast.ErrorCode(err) == broadcast.ENOTFOUND
	}
	if t, err = r.closeIfDue(ctx, t); err != nil {
		return false
	}
	if *list == "" || *list == "?" { // "?": not read yet, or the read failed
		*list = r.pollList(ctx, id)
	}
	m := r.tallyMessage(t, *list)
	if f := fingerprint(m); f != *shown {
		if err := conv.Update(ctx, ref, m); err != nil {
			r.log.Warn("editing tally failed; retried at the next turn", "poll", id, "err", Redact(err))
			return false
		}
		*shown = f
	}
	return t.Poll.ClosedAt != nil
}

// closeIfDue closes the poll of t if its closing time has come (one
// replica closes it; the others read it closed) and returns its tally as
// it is then.
func (r *Router) closeIfDue(ctx context.Context, t broadcast.Tally) (broadcast.Tally, error) {
	if !due(t.Poll, r.clock.Now()) {
		return t, nil
	}
	id := t.Poll.ID
	p, err := r.cfg.Polls.ClosePoll(ctx, id, closingTimeActor, *t.Poll.Question.ClosesAt)
	switch {
	case err == nil:
		t.Poll = p
		r.log.Info("poll closed at its closing time", "poll", id, "answered", t.Answered)
		return t, nil
	case broadcast.ErrorCode(err) == broadcast.ECONFLICT:
		return r.cfg.Polls.Tally(ctx, id)
	default:
		r.log.Error("closing poll failed", "poll", id, "err", Redact(err))
		return t, err
	}
}

// resumeTallies follows each open poll's tally: in the message recorded
// for conv's platform, or (unless adopting, and outside a
// SharedConversation, where the replica that posts one records it) in a
// new one. Resume calls it at start; Adopt, every AdoptEvery, adopts the
// recorded ones no replica edits.
func (r *Router) resumeTallies(ctx context.Context, conv Conversation, adopting bool) {
	if r.cfg.Polls == nil {
		return
	}
	polls, err := r.cfg.Polls.Polls(ctx, nil)
	if err != nil {
		r.log.Error("listing open polls failed", "err", Redact(err))
		return
	}
	platform, shared := r.shared(conv)
	for _, p := range polls {
		if r.followsTally(p.ID) {
			continue
		}
		if shared {
			ref, ok, err := r.cfg.Polls.TallyRef(ctx, p.ID, platform)
			if err != nil {
				r.log.Error("reading tally message failed", "poll", p.ID, "err", Redact(err))
				continue
			}
			if ok {
				r.followTally(p.ID, Ref(ref), conv, "")
			}
			continue
		}
		if !adopting {
			r.showTally(ctx, p.ID, conv)
		}
	}
}
