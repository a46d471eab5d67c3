package bot

import (
	"context"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/lease"
)

// watch keeps the message ref showing broadcast id's progress until the
// broadcast is done, editing it at most every ProgressEvery (status
// changes and the final summary are shown at once). showing is the status
// the message shows now. In a SharedConversation with Leases set, it
// records ref as the broadcast's progress message and follows only while
// it holds the progress lease: without it, another replica does.
func (r *Router) watch(id int64, ref Ref, conv Conversation, showing broadcast.Status) {
	platform, shared := r.shared(conv)
	if !shared {
		r.start(id, ref, conv, showing, nil)
		return
	}
	r.taking.Lock()
	defer r.taking.Unlock()
	if r.isWatching(id) {
		return
	}
	ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
	defer cancel()
	if err := r.cfg.ProgressRefs.SaveProgressRef(ctx, id, platform, string(ref), r.clock.Now()); err != nil {
		r.log.Error("recording progress message failed", "broadcast_id", id, "err", Redact(err))
	}
	if l := r.acquire(ctx, id); l != nil {
		r.start(id, ref, conv, showing, l)
	}
}

// start follows broadcast id in a goroutine of its own, unless this
// router follows it already; l is its progress lease (nil without
// Leases), released when following ends.
func (r *Router) start(id int64, ref Ref, conv Conversation, showing broadcast.Status, l *lease.Lease) {
	r.mu.Lock()
	if cur, ok := r.watching[id]; ok || r.ctx.Err() != nil {
		r.mu.Unlock()
		if l != nil && cur != l {
			r.cfg.Leases.Release(context.Background(), l)
		}
		return
	}
	r.watching[id] = l
	r.watchers.Add(1)
	r.mu.Unlock()
	go func() {
		defer r.watchers.Done()
		defer func() {
			r.mu.Lock()
			delete(r.watching, id)
			r.mu.Unlock()
		}()
		if l != nil {
			defer r.cfg.Leases.Release(context.Background(), l)
		}
		r.follow(id, ref, conv, showing, l)
	}()
}

func (r *Router) isWatching(id int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.watching[id]
	return ok
}

// follow edits ref until the broadcast is done, the router closes, or l
// (when not nil) is lost: the next holder continues then. Once it has
// shown the final summary under l, it drops the recorded message, so no
// replica shows the summary again.
func (r *Router) follow(id int64, ref Ref, conv Conversation, showing broadcast.Status, l *lease.Lease) {
	ch, stop, err := r.engine.Subscribe(r.ctx, id)
	if err != nil {
		r.log.Error("following progress failed", "broadcast_id", id, "err", Redact(err))
		return
	}
	defer stop()
	var (
		shown    = r.clock.Now()
		status   = showing
		pending  *broadcast.Progress
		timer    clockwork.Timer
		deadline <-chan time.Time
		lost     <-chan struct{}
	)
	if l != nil {
		lost = l.Lost()
	}
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	// show edits the message, and reports false (having edited nothing)
	// once the lease is no longer trusted.
	show := func(p broadcast.Progress) bool {
		if l != nil && !l.Trusted(r.clock.Now()) {
			return false
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := conv.Update(ctx, ref, r.progressMessage(ctx, p)); err != nil {
			r.log.Warn("updating progress failed", "broadcast_id", id, "err", Redact(err))
		}
		if p.Done && l != nil {
			if err := r.cfg.ProgressRefs.DropProgressRef(ctx, id); err != nil {
				r.log.Error("forgetting progress message failed", "broadcast_id", id, "err", Redact(err))
			}
		}
		shown, status, pending, deadline = r.clock.Now(), p.Broadcast.Status, nil, nil
		return true
	}
	for {
		select {
		case p := <-ch:
			switch {
			case p.Done || p.Broadcast.Status != status || r.clock.Since(shown) >= r.cfg.ProgressEvery:
				if !show(p) || p.Done {
					return
				}
			default:
				if pending == nil {
					if timer != nil {
						timer.Stop()
					}
					timer = r.clock.NewTimer(r.cfg.ProgressEvery - r.clock.Since(shown))
					deadline = timer.Chan()
				}
				pending = &p
			}
		case <-deadline:
			if !show(*pending) {
				return
			}
		case <-lost:
			r.log.Info("progress lease lost; another replica shows the progress", "broadcast_id", id)
			return
		case <-r.ctx.Done():
			select {
			case p := <-ch:
				show(p)
			default:
				if pending != nil {
					show(*pending)
				}
			}
			return
		}
	}
}

// Resume posts a progress message in conv for every unfinished broadcast
// and keeps it current, so a restarted bot shows what it resumed, and
// what stays paused.
//
// In a SharedConversation with Leases set, it shows each in the message
// recorded for it, if any, when this replica takes its progress lease,
// and leaves alone those another replica shows. It then adopts, every
// AdoptEvery until Close, the progress messages no replica edits (see
// Adopt), so that when a replica dies another continues its messages.
func (r *Router) Resume(ctx context.Context, conv Conversation) {
	unfinished, err := r.engine.Unfinished(ctx)
	if err != nil {
		r.log.Error("listing unfinished broadcasts failed", "err", Redact(err))
		return
	}
	platform, shared := r.shared(conv)
	for _, b := range unfinished {
		if shared {
			r.resumeShared(ctx, b.ID, conv, platform)
			continue
		}
		p, m, ok := r.resumed(ctx, b.ID)
		if !ok {
			continue
		}
		ref, err := conv.Post(ctx, m)
		if err != nil {
			r.log.Error("posting progress failed", "broadcast_id", b.ID, "err", Redact(err))
			continue
		}
		r.watch(b.ID, ref, conv, p.Broadcast.Status)
	}
	r.resumeTallies(ctx, conv, false)
	if shared {
		r.Adopt(ctx, conv)
		r.startAdopting(conv, platform)
	}
}

// resumed reads broadcast id's progress and its message, titled as
// resumed (or still paused) after a restart.
func (r *Router) resumed(ctx context.Context, id int64) (broadcast.Progress, Message, bool) {
	p, err := r.engine.Status(ctx, id)
	if err != nil {
		r.log.Error("reading broadcast failed", "broadcast_id", id, "err", Redact(err))
		return p, Message{}, false
	}
	m := r.progressMessage(ctx, p)
	m.Title = afterRestart(p.Broadcast.Status, m.Title)
	return p, m, true
}

// afterRestart titles an unfinished broadcast's progress at start:
// "Resumed after restart: Broadcast #1 to big: sending", or, for one a
// person paused, "Still paused after restart: Broadcast #1 to big" (it
// does not send until someone resumes it).
func afterRestart(status broadcast.Status, title string) string {
	if status == broadcast.StatusPaused {
		return "Still paused after restart: " + strings.TrimSuffix(title, ": "+string(broadcast.StatusPaused))
	}
	return "Resumed after restart: " + title
}
