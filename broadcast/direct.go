package broadcast

import (
	"context"
	"fmt"
	"time"
)

// Reply is a text to one contact outside any broadcast: a staff answer
// from chat, or an auto-reply.
type Reply struct {
	ContactID   int64
	SenderID    int64
	Body        string
	Status      MessageStatus // Sent, Failed, or Sending when the outcome is unknown
	ProviderSID string
	ErrorCode   string
	ErrorText   string
	SentBy      string
	At          time.Time
}

// Direct is what SendDirect did.
type Direct struct {
	Contact Contact
	Sender  Sender
	Reply   Reply
}

// directAttempts caps provider calls for one direct text.
const directAttempts = 3

// SendDirect texts one contact from its sticky sender (assigning one if
// it has none), paced with that sender's broadcasts, and records the text
// with the contact's conversation. Opted-out contacts are refused.
func (e *Engine) SendDirect(ctx context.Context, phone, body, actor string) (Direct, error) {
	if err := ValidateBody(body); err != nil {
		return Direct{}, err
	}
	c, s, err := e.store.StickySender(ctx, phone)
	if err != nil {
		return Direct{}, err
	}
	if c.OptedOutAt != nil {
		return Direct{}, Errorf(EINVALID, "%s opted out (texted STOP); they can only be texted again after they text START", phone)
	}
	d := Direct{Contact: c, Sender: s, Reply: Reply{ContactID: c.ID, SenderID: s.ID, Body: body, SentBy: actor}}
	since := e.clock.Now().Add(-clockSkew)
	for attempt := 1; ; attempt++ {
		slot, err := e.gate.Acquire(ctx)
		if err != nil {
			return Direct{}, err
		}
		if err := e.pace(ctx, s.ID, CountSegments(body).Segments); err != nil {
			slot.Release(errUnused)
			return Direct{}, err
		}
		sid, err := e.cfg.Provider.Send(slot.Bind(context.WithoutCancel(ctx)), Outgoing{From: s, To: c.Phone, Body: body})
		slot.Release(err)
		d.Reply.At = e.clock.Now()
		if err == nil {
			d.Reply.Status, d.Reply.ProviderSID = MsgSent, sid
			break
		}
		se := classify(err)
		d.Reply.ErrorCode, d.Reply.ErrorText = se.Code, se.Message
		if se.Class == Retryable && attempt < directAttempts {
			if !e.sleep(ctx, e.backoff(attempt, se.RetryAfter)) {
				return Direct{}, ctx.Err()
			}
			continue
		}
		if se.Class == Ambiguous {
			// Sending again could double it: ask the provider first.
			sid, found, err := e.lookupDirect(ctx, c.Phone, body, s, since)
			if found {
				d.Reply.Status, d.Reply.ProviderSID, d.Reply.ErrorCode, d.Reply.ErrorText = MsgSent, sid, "", ""
				break
			}
			if err == nil && attempt < directAttempts {
				continue // surely not sent: send again
			}
			d.Reply.Status = MsgSending // unknown: say so rather than risk two
			break
		}
		d.Reply.Status = MsgFailed
		break
	}
	if err := e.store.RecordReply(ctx, d.Reply); err != nil {
		return d, fmt.Errorf("record reply: %w", err)
	}
	switch d.Reply.Status {
	case MsgFailed:
		return d, Errorf(EINVALID, "the text to %s failed: %s %s", phone, d.Reply.ErrorCode, d.Reply.ErrorText)
	case MsgSending:
		return d, Errorf(EINVALID, "no answer from the carrier for the text to %s: it may or may not have gone; check before sending it again", phone)
	}
	return d, nil
}

// lookupDirect waits ReconcileDelay and asks the provider whether it has
// a direct text, as broadcasts do after an ambiguous send.
func (e *Engine) lookupDirect(ctx context.Context, to, body string, from Sender, since time.Time) (string, bool, error) {
	if !e.sleep(ctx, e.cfg.ReconcileDelay) {
		return "", false, ctx.Err()
	}
	sid, err := e.find(to, body, from, since)
	if err != nil {
		e.log.Warn("direct text: lookup failed", "err", err)
		return "", false, err
	}
	return sid, sid != "", nil
}

// pace waits until sender may send n more segments, sharing the pacer of
// the sender's broadcast worker.
func (e *Engine) pace(ctx context.Context, senderID int64, n int) error {
	e.mu.Lock()
	w := e.workers[senderID]
	e.mu.Unlock()
	if w == nil {
		return nil
	}
	for {
		now := e.clock.Now()
		d := w.pacer.Delay(now, n)
		if d == 0 {
			w.pacer.Take(now, n)
			return nil
		}
		if !e.sleep(ctx, d) {
			return ctx.Err()
		}
	}
}

// StickySender returns the contact with phone and the sender it is
// texted from.
func (e *Engine) StickySender(ctx context.Context, phone string) (Contact, Sender, error) {
	return e.store.StickySender(ctx, phone)
}
