package inbound

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"smsbot/bot"
)

// DeadLetter is an incoming text the store refused, set aside so that the
// texts behind it go on: what was received, kept raw, and why.
type DeadLetter struct {
	ID   int64 // set by the store
	SID  string
	From string // cleaned, for the notice to staff
	// Raw is the text exactly as received (SID, From, To, Body, Media, At
	// as JSON), in standard base64, so that no byte of it can fail again.
	Raw   string
	Error string // why the store refused it, cleaned and shortened
	At    time.Time
}

// DecodeRaw returns the text as it was received.
func (d DeadLetter) DecodeRaw() (Text, error) {
	b, err := base64.StdEncoding.DecodeString(d.Raw)
	if err != nil {
		return Text{}, fmt.Errorf("dead letter %d: %w", d.ID, err)
	}
	var t Text
	if err := json.Unmarshal(b, &t); err != nil {
		return Text{}, fmt.Errorf("dead letter %d: %w", d.ID, err)
	}
	return t, nil
}

// maxDeadError caps the stored reason of a dead letter.
const maxDeadError = 500

// deadLetter sets aside a text the store refused storeTries times: it
// records it raw, applies its STOP or START anyway (an opt-out must never
// be lost to a storage fault), and tells staff once. It returns nil when
// all of that is recorded, so the caller moves on; otherwise the error,
// and the caller tries the text again later.
func (s *Service) deadLetter(ctx context.Context, raw, t Text, k Keyword, cause error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("receive text: %w", cause)
	}
	enc, err := json.Marshal(raw)
	if err != nil {
		return fmt.Errorf("receive text: %w", errors.Join(cause, err))
	}
	reason := []rune(CleanField(cause.Error()))
	d := DeadLetter{SID: t.SID, From: t.From, Raw: base64.StdEncoding.EncodeToString(enc),
		Error: string(reason[:min(len(reason), maxDeadError)]), At: t.At}
	fresh, err := s.store.SaveDeadLetter(ctx, d)
	if err != nil {
		return fmt.Errorf("receive text: %w", errors.Join(cause, err))
	}
	if fresh {
		s.log.Warn("an incoming text could not be stored; it was set aside as a dead letter", "sid", t.SID, "keyword", string(k))
		s.log.Debug("dead letter", "sid", t.SID, "err", cause)
	}
	switch k {
	case Stop:
		if _, err := s.store.OptOut(ctx, t.From, "sms:"+t.From); err != nil {
			return fmt.Errorf("opt out: %w", err)
		}
	case Start:
		if _, err := s.store.OptIn(ctx, t.From, "sms:"+t.From); err != nil {
			return fmt.Errorf("opt in: %w", err)
		}
	}
	if s.cfg.Staff != nil {
		if s.relays.due(s.clock.Now()) == 0 && s.takeTurn(ctx) {
			s.notifyDeadLettersLocked(context.WithoutCancel(ctx))
			s.endTurn()
		}
		s.relays.kick()
	}
	return nil
}

// notifyDeadLetters tells staff of the dead letters they were not told
// of, one line each. It reports false when a notice could not be posted.
func (s *Service) notifyDeadLetters(ctx context.Context) bool {
	if !s.takeTurn(ctx) {
		return false
	}
	defer s.endTurn()
	return s.notifyDeadLettersLocked(ctx)
}

// notifyDeadLettersLocked is notifyDeadLetters for a caller holding the turn.
func (s *Service) notifyDeadLettersLocked(ctx context.Context) bool {
	pending, err := s.store.UnnotifiedDeadLetters(ctx, relayBatch)
	if err != nil {
		s.log.Error("reading dead letters failed; will retry", "err", bot.Redact(err))
		s.log.Debug("reading dead letters failed; will retry", "err", err)
		s.relays.failed(s.clock.Now(), "", nil)
		return false
	}
	for _, d := range pending {
		key := fmt.Sprintf("dead-letter:%d", d.ID)
		if s.relays.isUnmarked(key) {
			if !s.markNotified(ctx, key, d.ID) {
				return false
			}
			continue
		}
		if s.relays.due(s.clock.Now()) > 0 {
			return false
		}
		msg := bot.Message{Text: fmt.Sprintf("⚠️ A text from %s (%s) could not be stored and was set aside as dead letter #%d; its STOP or START, if any, still counts.", d.From, d.SID, d.ID)}
		// A post once started finishes (within relayTimeout) even at shutdown:
		// cut off, one Slack had shown would be shown again at the next start.
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), relayTimeout)
		_, err := s.cfg.Staff.Relay(pctx, "", msg)
		cancel()
		if err != nil {
			s.relays.failed(s.clock.Now(), "", err)
			s.log.Warn("telling staff of a dead letter failed; will retry", "dead_letter", d.ID, "err", bot.Redact(err))
			s.log.Debug("telling staff of a dead letter failed; will retry", "dead_letter", d.ID, "err", err)
			return false
		}
		s.relays.succeeded("")
		s.relays.setUnmarked(key, true)
		if !s.markNotified(ctx, key, d.ID) {
			return false
		}
	}
	return true
}

// markNotified records that staff were told of dead letter id. Until that
// lands, the relayer remembers key, so a retry marks rather than tells again.
func (s *Service) markNotified(ctx context.Context, key string, id int64) bool {
	if err := s.store.MarkDeadLetterNotified(ctx, id, s.clock.Now()); err != nil {
		s.log.Error("marking dead letter notified failed; will retry", "dead_letter", id, "err", bot.Redact(err))
		s.log.Debug("marking dead letter notified failed; will retry", "dead_letter", id, "err", err)
		s.relays.failed(s.clock.Now(), "", nil)
		return false
	}
	s.relays.setUnmarked(key, false)
	return true
}
