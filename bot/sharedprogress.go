package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"smsbot/lease"
)

// Leases takes and gives back the named leases that coordinate the
// replicas sharing one database; *lease.Keeper implements it.
type Leases interface {
	// TryAcquire takes the lease name, or returns nil (and no error) when
	// another replica holds it.
	TryAcquire(ctx context.Context, name string) (*lease.Lease, error)
	// Release gives a held lease back, so another replica may take it at
	// once.
	Release(ctx context.Context, l *lease.Lease)
}

// ProgressRefs records which chat message shows each broadcast's
// progress, so that any replica can edit it; *store.Store implements it.
type ProgressRefs interface {
	// SaveProgressRef records ref, on platform, as broadcast id's
	// progress message.
	SaveProgressRef(ctx context.Context, broadcastID int64, platform, ref string, now time.Time) error
	// ProgressRef returns broadcast id's progress message on platform;
	// ok is false when none is recorded there.
	ProgressRef(ctx context.Context, broadcastID int64, platform string) (ref string, ok bool, err error)
	// ProgressRefsOn returns the progress messages recorded on platform
	// by broadcast ID.
	ProgressRefsOn(ctx context.Context, platform string) (map[int64]string, error)
	// DropProgressRef forgets broadcast id's progress message once it
	// shows the final summary.
	DropProgressRef(ctx context.Context, broadcastID int64) error
}

// SharedConversation is a Conversation whose message Refs any replica
// can edit: Slack's channel/timestamp, Discord's channel/message ID (the
// console's are its own process's). ProgressPlatform names the platform
// as the store keeps it ("slack", "discord").
type SharedConversation interface {
	Conversation
	ProgressPlatform() string
}

// shared returns conv's platform when its progress messages are shared
// between replicas: Leases and ProgressRefs set, and conv a
// SharedConversation.
func (r *Router) shared(conv Conversation) (string, bool) {
	if r.cfg.Leases == nil || r.cfg.ProgressRefs == nil {
		return "", false
	}
	s, ok := conv.(SharedConversation)
	if !ok {
		return "", false
	}
	p := s.ProgressPlatform()
	return p, p != ""
}

// progressLease names broadcast id's progress lease.
func progressLease(id int64) string { return fmt.Sprintf("progress:%d", id) }

// acquire takes broadcast id's progress lease, or returns nil when
// another replica holds it (or it cannot be had now).
func (r *Router) acquire(ctx context.Context, id int64) *lease.Lease {
	l, err := r.cfg.Leases.TryAcquire(ctx, progressLease(id))
	if err != nil && !errors.Is(err, lease.ErrClosed) && r.ctx.Err() == nil {
		r.log.Warn("taking progress lease failed", "broadcast_id", id, "err", Redact(err))
	}
	return l
}

// resumeShared shows unfinished broadcast id at start, if this replica
// takes its progress lease: in its recorded message when there is one,
// titled as resumed, or else in a new one, recorded.
func (r *Router) resumeShared(ctx context.Context, id int64, conv Conversation, platform string) {
	r.taking.Lock()
	defer r.taking.Unlock()
	if r.isWatching(id) {
		return
	}
	l := r.acquire(ctx, id)
	if l == nil {
		return // another replica shows it
	}
	ref, ok, err := r.cfg.ProgressRefs.ProgressRef(ctx, id, platform)
	if err != nil {
		r.log.Error("reading progress message failed", "broadcast_id", id, "err", Redact(err))
		r.cfg.Leases.Release(ctx, l)
		return
	}
	p, m, good := r.resumed(ctx, id)
	if !good {
		r.cfg.Leases.Release(ctx, l)
		return
	}
	if ok {
		if err := conv.Update(ctx, Ref(ref), m); err != nil {
			r.log.Warn("updating progress failed", "broadcast_id", id, "err", Redact(err))
		}
		r.start(id, Ref(ref), conv, p.Broadcast.Status, l)
		return
	}
	posted, err := conv.Post(ctx, m)
	if err != nil {
		r.log.Error("posting progress failed", "broadcast_id", id, "err", Redact(err))
		r.cfg.Leases.Release(ctx, l)
		return
	}
	if err := r.cfg.ProgressRefs.SaveProgressRef(ctx, id, platform, string(posted), r.clock.Now()); err != nil {
		r.log.Error("recording progress message failed", "broadcast_id", id, "err", Redact(err))
	}
	r.start(id, posted, conv, p.Broadcast.Status, l)
}

// Adopt continues, in conv, the progress messages recorded on its
// platform that no replica edits: the replica that did died, stopped or
// lost its lease, or the broadcast ended before its summary was shown.
// For each whose progress lease this replica takes, it edits the same
// message until the broadcast's final summary. Resume runs it every
// AdoptEvery; it does nothing unless conv is shared (see Config.Leases).
func (r *Router) Adopt(ctx context.Context, conv Conversation) {
	platform, shared := r.shared(conv)
	if !shared {
		return
	}
	defer r.resumeTallies(ctx, conv, true)
	r.taking.Lock()
	defer r.taking.Unlock()
	refs, err := r.cfg.ProgressRefs.ProgressRefsOn(ctx, platform)
	if err != nil {
		if r.ctx.Err() == nil {
			r.log.Error("listing progress messages failed", "err", Redact(err))
		}
		return
	}
	ids := make([]int64, 0, len(refs))
	for id := range refs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if r.isWatching(id) {
			continue
		}
		l := r.acquire(ctx, id)
		if l == nil {
			continue
		}
		// Read again under the lease: the last holder drops it once the
		// summary is shown, and then releases the lease.
		ref, ok, err := r.cfg.ProgressRefs.ProgressRef(ctx, id, platform)
		if err != nil || !ok {
			if err != nil {
				r.log.Error("reading progress message failed", "broadcast_id", id, "err", Redact(err))
			}
			r.cfg.Leases.Release(ctx, l)
			continue
		}
		r.log.Info("continuing a progress message no replica edits", "broadcast_id", id)
		r.start(id, Ref(ref), conv, "", l)
	}
}

// startAdopting runs Adopt for conv every AdoptEvery until Close, once
// per platform.
func (r *Router) startAdopting(conv Conversation, platform string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.adopting[platform] || r.ctx.Err() != nil {
		return
	}
	r.adopting[platform] = true
	t := r.clock.NewTicker(r.cfg.AdoptEvery)
	r.watchers.Add(1)
	go func() {
		defer r.watchers.Done()
		defer t.Stop()
		for {
			select {
			case <-r.ctx.Done():
				return
			case <-t.Chan():
				ctx, cancel := context.WithTimeout(r.ctx, r.cfg.AdoptEvery+10*time.Second)
				r.Adopt(ctx, conv)
				cancel()
			}
		}
	}()
}

// KeepAdopting runs Adopt for conv every AdoptEvery until Close, as
// Resume does, without posting anything: for a platform with no staff
// channel, whose progress messages are in the channels where broadcasts
// were approved (a shared conversation edits a message of any channel).
func (r *Router) KeepAdopting(conv Conversation) {
	if platform, ok := r.shared(conv); ok {
		r.startAdopting(conv, platform)
	}
}
