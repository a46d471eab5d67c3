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
		return 0, Errorf(EINVALID, "rate %q is not a number of segments per second between 0 and %d (1 for a long code, 3 for toll-free, 100 for a short code)", s, MaxRate)
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
		return Sender{}, false, Errorf(EINVALID, "rate must be between 0 and %d segments per second", MaxRate)
	}
	s, created, err := e.store.AddSender(ctx, addr, rate, actor)
	if err != nil {
		return Sender{}, false, err
	}
	e.mu.Lock()
	w := e.workers[s.ID]
	e.mu.Unlock()
	if w != nil {
		w.setRate(s.Rate)
	} else if e.ctx.Err() == nil {
		e.startWorker(s)
	}
	return s, created, nil
}

// RemoveSender stops sending from a sender and moves its contacts, with
// their queued texts, to the least-loaded remaining senders for good.
func (e *Engine) RemoveSender(ctx context.Context, addr, actor string) (int, error) {
	moved, err := e.store.RemoveSender(ctx, addr, actor)
	if err != nil {
		return 0, err
	}
	e.mu.Lock()
	for id, w := range e.workers {
		if w.from().Address == addr {
			w.stop()
			delete(e.workers, id)
		}
	}
	e.mu.Unlock()
	e.wakeAll()
	return moved, nil
}
