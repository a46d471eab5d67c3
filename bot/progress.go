package bot

import (
	"context"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
)

// watch keeps the message ref showing broadcast id's progress until the
// broadcast is done, editing it at most every ProgressEvery (status
// changes and the final summary are shown at once). showing is the status
// the message shows now.
func (r *Router) watch(id int64, ref Ref, conv Conversation, showing broadcast.Status) {
	r.mu.Lock()
	if r.watching[id] || r.ctx.Err() != nil {
		r.mu.Unlock()
		return
	}
	r.watching[id] = true
	r.watchers.Add(1)
	r.mu.Unlock()
	go func() {
		defer r.watchers.Done()
		defer func() {
			r.mu.Lock()
			delete(r.watching, id)
			r.mu.Unlock()
		}()
		r.follow(id, ref, conv, showing)
	}()
}

func (r *Router) follow(id int64, ref Ref, conv Conversation, showing broadcast.Status) {
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
	)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	show := func(p broadcast.Progress) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := conv.Update(ctx, ref, r.progressMessage(ctx, p)); err != nil {
			r.log.Warn("updating progress failed", "broadcast_id", id, "err", Redact(err))
		}
		shown, status, pending, deadline = r.clock.Now(), p.Broadcast.Status, nil, nil
	}
	for {
		select {
		case p := <-ch:
			switch {
			case p.Done || p.Broadcast.Status != status || r.clock.Since(shown) >= r.cfg.ProgressEvery:
				show(p)
				if p.Done {
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
			show(*pending)
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
func (r *Router) Resume(ctx context.Context, conv Conversation) {
	unfinished, err := r.engine.Unfinished(ctx)
	if err != nil {
		r.log.Error("listing unfinished broadcasts failed", "err", Redact(err))
		return
	}
	for _, b := range unfinished {
		p, err := r.engine.Status(ctx, b.ID)
		if err != nil {
			r.log.Error("reading broadcast failed", "broadcast_id", b.ID, "err", Redact(err))
			continue
		}
		m := r.progressMessage(ctx, p)
		m.Title = afterRestart(p.Broadcast.Status, m.Title)
		ref, err := conv.Post(ctx, m)
		if err != nil {
			r.log.Error("posting progress failed", "broadcast_id", b.ID, "err", Redact(err))
			continue
		}
		r.watch(b.ID, ref, conv, p.Broadcast.Status)
	}
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
