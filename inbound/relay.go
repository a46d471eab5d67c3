package inbound

import (
	"context"
	"fmt"
	"time"

	"smsbot/bot"
)

// Relay timing. A post to staff gets relayTimeout; a failed one is tried
// again after relayBackoffBase, doubling up to relayBackoffMax, or after
// the platform's Retry-After when that is longer.
const (
	relayTimeout     = 10 * time.Second
	relayBackoffBase = time.Second
	relayBackoffMax  = 5 * time.Minute
	// relayBatch is how many stored texts one pass of Run reads.
	relayBatch = 500
	// relayGiveUp is how many times one text may fail, while other posts
	// get through, before a one-line notice is shown in its place.
	relayGiveUp = 10
)

// Run relays, while ctx lasts, the texts and notices whose post to staff
// failed (a 429, a short outage), with backoff that honours the
// platform's Retry-After, in order per contact. It starts with those left
// from before a restart. Without a staff channel it only waits for ctx.
func (s *Service) Run(ctx context.Context) error {
	for {
		wait, again := s.relayPass(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case again:
			continue
		case wait == 0:
			select {
			case <-ctx.Done():
				return nil
			case <-s.relays.wake:
			}
		default:
			// A new text does not cut the wait short: Receive relays what
			// it can itself, and the wake stays pending for later.
			t := s.clock.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.Chan():
			}
		}
	}
}

// RelayPending makes one pass over the texts stored but not yet shown to
// staff (the chat was down, or the process stopped in between), oldest
// first, stopping a contact's texts at its first failure. Run does this
// again and again; RelayPending is for a caller without Run.
func (s *Service) RelayPending(ctx context.Context) error {
	_, _, err := s.relayOnce(ctx, true)
	return err
}

// relayPass is one pass of Run: it returns how long to wait before the
// next (0: until woken), or again for more texts at once.
func (s *Service) relayPass(ctx context.Context) (wait time.Duration, again bool) {
	if s.cfg.Staff == nil {
		return 0, false
	}
	if wait := s.relays.retryDue(s.clock.Now()); wait > 0 {
		return wait, false
	}
	full, failed, err := s.relayOnce(ctx, false)
	if err != nil && ctx.Err() == nil {
		s.log.Warn("reading texts to relay failed; will retry", "err", bot.Redact(err))
		s.log.Debug("reading texts to relay failed; will retry", "err", err)
		s.relays.failed(s.clock.Now(), "", nil)
	}
	if err != nil || failed {
		return max(relayBackoffBase, s.relays.retryDue(s.clock.Now())), false
	}
	return 0, full
}

// relayOnce relays what is pending: texts oldest first, then dead-letter
// notices. full says a whole batch was read; failed, that a post failed.
// now retries texts that failed at once, without their backoff.
func (s *Service) relayOnce(ctx context.Context, now bool) (full, failed bool, err error) {
	if s.cfg.Staff == nil {
		return false, false, nil
	}
	pending, err := s.store.Unrelayed(ctx, relayBatch)
	if err != nil {
		return false, false, err
	}
	blocked := map[int64]bool{} // contacts with a failed text: their later ones wait
	for _, saved := range pending {
		if blocked[saved.Contact.ID] {
			continue
		}
		if s.relays.due(s.clock.Now()) > 0 {
			return false, true, nil // the platform asked us to wait: nothing else goes now
		}
		ok, err := s.relayStored(ctx, saved, now)
		if err != nil {
			return false, true, err
		}
		if !ok {
			failed, blocked[saved.Contact.ID] = true, true
		}
	}
	if !s.notifyDeadLetters(ctx) {
		failed = true
	}
	return len(pending) == relayBatch, failed, nil
}

// relayNew relays a text Receive just stored, at once unless an earlier
// text of the contact still waits or posts are backing off: then Run
// relays it in turn. The post runs on a context of its own, so a webhook
// request that ends does not cut it off. A text whose media is fetched
// is left to Run, so that the webhook answers Twilio without waiting for
// the files.
func (s *Service) relayNew(ctx context.Context, saved Saved) {
	if s.cfg.Staff == nil {
		return
	}
	defer s.relays.kick()
	if len(saved.Text.Media) > 0 && s.showsFiles() {
		return
	}
	if s.relays.due(s.clock.Now()) > 0 || !s.takeTurn(ctx) {
		return
	}
	defer s.endTurn()
	if s.relays.tried(saved.Text.SID) {
		return // Run tried it first and failed: retrying is Run's, after backoff
	}
	own := context.WithoutCancel(ctx)
	earlier, err := s.store.UnrelayedBefore(own, saved.Contact.ID, saved.Text.SID)
	if err != nil {
		s.log.Error("checking earlier texts failed; the relay will be retried", "sid", saved.Text.SID, "err", bot.Redact(err))
		s.log.Debug("checking earlier texts failed; the relay will be retried", "sid", saved.Text.SID, "err", err)
		return
	}
	if earlier {
		return
	}
	if done, err := s.store.Relayed(own, saved.Text.SID); err != nil || done {
		return // Run showed it meanwhile, or it will
	}
	s.post(own, saved)
}

// relayStored relays a text read from the store in its turn, unless it
// was relayed meanwhile, or (unless now) it failed and its backoff runs.
// It reports false when the text was not shown.
func (s *Service) relayStored(ctx context.Context, saved Saved, now bool) (bool, error) {
	if !s.takeTurn(ctx) {
		return false, ctx.Err()
	}
	defer s.endTurn()
	if !now && s.relays.tried(saved.Text.SID) && s.relays.retryDue(s.clock.Now()) > 0 {
		return false, nil // it failed while this pass waited for its turn: not yet
	}
	done, err := s.store.Relayed(ctx, saved.Text.SID)
	if err != nil || done {
		return err == nil, err
	}
	return s.post(ctx, saved), nil
}

func (s *Service) takeTurn(ctx context.Context) bool {
	select {
	case s.relays.turn <- struct{}{}:
		return true
	default:
	}
	select {
	case s.relays.turn <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (s *Service) endTurn() { <-s.relays.turn }

// post shows a saved text to staff (or, for a keyword, a one-line notice)
// and marks it relayed. The caller holds the turn. It reports success.
func (s *Service) post(ctx context.Context, saved Saved) bool {
	sid := saved.Text.SID
	if s.relays.isUnmarked(sid) {
		return s.markRelayed(ctx, sid) // shown already: only the mark is missing
	}
	if s.relays.due(s.clock.Now()) > 0 {
		return false // a Retry-After began while this post waited for its turn
	}
	platform := s.cfg.Staff.Platform()
	msg, thread := relayNotice(saved), ""
	threaded := msg.Text == ""
	var media []fetched // the files to attach after the text
	if threaded {
		var err error
		if thread, err = s.store.Thread(ctx, saved.Contact.ID, platform); err != nil {
			s.log.Error("reading thread failed; the relay will be retried", "sid", sid, "err", bot.Redact(err))
			s.log.Debug("reading thread failed; the relay will be retried", "sid", sid, "err", err)
			s.relays.failed(s.clock.Now(), "", nil)
			return false
		}
		files := len(saved.Text.Media) > 0 && s.showsFiles()
		if files {
			if media = s.fetchMedia(ctx, saved); ctx.Err() != nil {
				return false // shutting down: shown whole at the next start
			}
		}
		msg = relayMessage(saved, s.mediaFields(saved, media, files))
	}
	if n := s.relays.giveUp(sid); n > 0 {
		msg = bot.Message{Text: fmt.Sprintf("⚠️ A text from %s (%s) could not be shown here after %d tries; it is stored.", who(saved), sid, n)}
		thread, threaded, media = "", false, nil
	}
	// A post once started finishes (within relayTimeout) even at shutdown:
	// cut off, one Slack had shown would be shown again at the next start.
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), relayTimeout)
	got, err := s.cfg.Staff.Relay(pctx, thread, msg)
	cancel()
	if err != nil {
		s.relays.failed(s.clock.Now(), sid, err)
		s.log.Warn("relaying a text to staff failed; it will be retried", "sid", sid, "err", bot.Redact(err))
		s.log.Debug("relaying a text to staff failed; it will be retried", "sid", sid, "err", err)
		return false
	}
	s.relays.succeeded(sid)
	if threaded && got != "" && got != thread {
		if err := s.store.SetThread(ctx, saved.Contact.ID, platform, got); err != nil {
			s.log.Error("saving thread failed", "err", bot.Redact(err))
			s.log.Debug("saving thread failed", "err", err)
		}
	}
	s.relays.setUnmarked(sid, true)
	if got != "" {
		thread = got
	}
	s.attachMedia(ctx, thread, sid, media)
	return s.markRelayed(ctx, sid)
}

// markRelayed records that staff saw sid. Until that lands, the relayer
// remembers it, so a retry marks it rather than showing it again.
func (s *Service) markRelayed(ctx context.Context, sid string) bool {
	if err := s.store.MarkRelayed(ctx, sid, s.clock.Now()); err != nil {
		s.log.Error("marking text relayed failed; will retry", "sid", sid, "err", bot.Redact(err))
		s.log.Debug("marking text relayed failed; will retry", "sid", sid, "err", err)
		s.relays.failed(s.clock.Now(), "", nil)
		return false
	}
	s.relays.setUnmarked(sid, false)
	return true
}
