package sim

import (
	"context"
	"time"

	"github.com/jonboulle/clockwork"
)

// Receipt is a delivery receipt of an accepted text, with the fields of
// Twilio's status callback.
type Receipt struct {
	SID string
	// Status is Twilio's MessageStatus: queued, sent, then delivered or
	// undelivered.
	Status string
	// ErrorCode is Twilio's ErrorCode of an undelivered text ("30003").
	ErrorCode string
	At        time.Time
}

// SetFailures replaces the failure setting; texts sent from then on
// follow it. It is safe to call while texts are sent.
func (p *Provider) SetFailures(fs Failures) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cfg.Failures = append(Failures(nil), fs...)
}

// Failures returns the failure setting.
func (p *Provider) Failures() Failures {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append(Failures(nil), p.cfg.Failures...)
}

// drawFailure picks the failure of the next text, if Failures has one
// for it.
func (p *Provider) drawFailure() (Failure, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.cfg.Failures) == 0 {
		return Failure{}, false
	}
	return p.cfg.Failures.pick(p.frng.Float64() * 100)
}

// schedule plans the receipts of an accepted text, and its recipient's
// STOP, on the Clock: queued at once, sent after a third of a sampled
// ReceiptDelay, then delivered, or undelivered with fail's code, at its
// end. With Failures' stop share, a delivered text's recipient texts STOP
// to its sender a second sampled delay later.
func (p *Provider) schedule(m Message, fail Failure, failed bool) {
	if p.cfg.Receipt == nil {
		return
	}
	p.mu.Lock()
	delay := p.cfg.ReceiptDelay.Sample(p.frng)
	stop := false
	if pct := p.cfg.Failures.stopPercent(); !failed && pct > 0 && p.cfg.Reply != nil {
		stop = p.frng.Float64()*100 < pct
	}
	var stopAfter time.Duration
	if stop {
		stopAfter = delay + p.cfg.ReceiptDelay.Sample(p.frng)
	}
	p.mu.Unlock()
	final := Receipt{SID: m.SID, Status: "delivered"}
	if failed {
		final = Receipt{SID: m.SID, Status: "undelivered", ErrorCode: fail.Code}
	}
	p.after(0, Receipt{SID: m.SID, Status: "queued"}, nil)
	p.after(delay/3, Receipt{SID: m.SID, Status: "sent"}, nil)
	p.after(delay, final, nil)
	if stop {
		p.after(stopAfter, Receipt{}, func(ctx context.Context) { p.cfg.Reply(ctx, m.To, m.From, "STOP") })
	}
}

// after calls Receipt with r (or run, when set) d from now on the Clock,
// unless Close comes first.
func (p *Provider) after(d time.Duration, r Receipt, run func(context.Context)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.pending.Add(1)
	p.busy(1)
	var t clockwork.Timer
	t = p.cfg.Clock.AfterFunc(d, func() {
		defer p.pending.Done()
		defer p.idle()
		p.mu.Lock()
		delete(p.timers, t) // after() stored t before it let go of mu
		closed := p.closed
		p.mu.Unlock()
		if closed {
			return
		}
		if run != nil {
			run(p.ctx)
			return
		}
		r.At = p.cfg.Clock.Now()
		p.cfg.Receipt(p.ctx, r)
	})
	p.timers[t] = struct{}{}
}

// Close drops the receipts and replies not yet due and waits for those
// being delivered: Receipt and Reply are not called after it returns.
// Sending still works, without receipts.
func (p *Provider) Close() {
	p.mu.Lock()
	p.closed = true
	p.cancel()
	for t := range p.timers {
		if t.Stop() {
			p.pending.Done()
			p.busy(-1)
		}
	}
	p.timers = nil
	p.mu.Unlock()
	p.pending.Wait()
}

// busy counts n receipts or replies more (or fewer) not yet delivered;
// settled is closed while there are none. Call it holding mu.
func (p *Provider) busy(n int) {
	if p.due == 0 && n > 0 {
		p.settled = make(chan struct{})
	}
	p.due += n
	if p.due == 0 && p.settled != nil {
		close(p.settled)
	}
}

// idle counts one receipt or reply as delivered.
func (p *Provider) idle() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.busy(-1)
}

// Due is how many receipts and STOP replies are not yet delivered.
func (p *Provider) Due() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.due
}

// WaitReceipts blocks until every receipt and STOP reply of the texts
// accepted so far has been delivered (or dropped by Close), or until ctx
// ends, and returns ctx's error then. The console calls it at the end of
// its input, after the broadcasts finished, so that a script's texts get
// their receipts before it exits.
func (p *Provider) WaitReceipts(ctx context.Context) error {
	p.mu.Lock()
	settled := p.settled
	p.mu.Unlock()
	if settled == nil {
		return nil
	}
	select {
	case <-settled:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
