// Package sim is a simulated carrier: a broadcast.Provider that delivers
// texts by printing them. smsbot uses it whenever no Twilio credentials are
// set, so the whole bot can be tried without an account. Latency (a
// distribution, like calls across the internet: SMSBOT_SIM_LATENCY) and
// faults can be injected for tests and to watch progress in the console.
// Like Twilio, it sends delivery receipts a few seconds after accepting a
// text, fails a share of texts with Twilio's codes (Failures:
// SMSBOT_SIM_FAILURES), and has some recipients text STOP back.
package sim

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/broadcast/latency"
)

// Config configures a Provider. Zero values are fine.
type Config struct {
	// Out receives one line per delivered text (default: discard).
	Out io.Writer
	// Latency delays every Send by a latency sampled from it, on Clock,
	// before the text is recorded; the context ending first makes Send
	// fail as Ambiguous. Zero: no delay.
	Latency latency.Dist
	// LookupLatency delays every Lookup the same way; the context ending
	// first fails the Lookup with its error. Zero: no delay.
	LookupLatency latency.Dist
	// Seed seeds the sampling of both latencies: one PCG source
	// rand.NewPCG(Seed, Seed), drawn from in call order. Failures,
	// receipt delays and STOP replies draw from a second one,
	// rand.NewPCG(Seed, Seed+1).
	Seed  uint64
	Clock clockwork.Clock
	// Fault, when set, is asked before each send; a non-nil error is
	// returned instead of sending. keep reports whether the text should be
	// recorded as accepted anyway (an ambiguous failure after the carrier
	// took the message).
	Fault func(m broadcast.Outgoing, attempt int) (err error, keep bool)
	// Notify, when set, is called with every accepted text.
	Notify func(Message)
	// Keep is how many of the latest texts Sent and Lookup remember
	// (default 10,000), so a long-running console stays small.
	Keep int

	// Failures fails a share of texts with Twilio's codes, as Twilio
	// does: the 21xxx codes refuse the send (a Permanent SendError), the
	// 30xxx ones accept it and end in an undelivered receipt. Its stop
	// share has recipients of delivered texts text STOP back (Reply).
	// SetFailures changes it. Empty: every text is delivered.
	Failures Failures
	// Receipt, when set, gets every accepted text's delivery receipts,
	// as Twilio's status callbacks would come: queued at once, sent, then
	// delivered or undelivered at the end of a ReceiptDelay. It is called
	// on Clock's timer goroutines, never after Close returns; its context
	// ends at Close.
	Receipt func(ctx context.Context, r Receipt)
	// ReceiptDelay is the time from acceptance to the final receipt
	// (default: uniform from 1s to 4s).
	ReceiptDelay latency.Dist
	// Reply, when set with Receipt, is how a recipient texts back: from
	// is the recipient, to our number. Failures' stop share of delivered
	// texts get a STOP, a second ReceiptDelay after the receipt.
	Reply func(ctx context.Context, from, to, body string)
}

// Message is a text the simulated carrier accepted.
type Message struct {
	SID     string
	From    string
	To      string
	Body    string
	Created time.Time
}

// Provider is the simulated carrier. It is safe for concurrent use.
type Provider struct {
	cfg Config

	mu       sync.Mutex
	rng      *rand.Rand // Seed's source, for Latency and LookupLatency
	sent     []Message
	attempts map[string]int // from|to|body → sends tried
	seq      int

	frng    *rand.Rand // Seed's second source: failures, receipts, STOPs
	closed  bool
	timers  map[clockwork.Timer]struct{} // receipts and replies not yet due
	pending sync.WaitGroup               // one per timer until it is stopped or has run
	ctx     context.Context              // of Receipt and Reply calls; ends at Close
	cancel  context.CancelFunc
	due     int           // receipts and replies not yet delivered
	settled chan struct{} // closed when due is 0; nil before the first
}

var _ broadcast.Provider = (*Provider)(nil)

// New returns a simulated carrier.
func New(cfg Config) *Provider {
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.Clock == nil {
		cfg.Clock = clockwork.NewRealClock()
	}
	if cfg.Keep <= 0 {
		cfg.Keep = 10_000
	}
	if cfg.ReceiptDelay.IsZero() {
		cfg.ReceiptDelay = latency.Uniform(time.Second, 4*time.Second)
	}
	cfg.Failures = append(Failures(nil), cfg.Failures...)
	p := &Provider{cfg: cfg, attempts: map[string]int{}, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed)),
		frng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed+1)), timers: map[clockwork.Timer]struct{}{}}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	return p
}

// wait sleeps one latency sampled from d on the Clock, or until ctx ends,
// and returns ctx's error then.
func (p *Provider) wait(ctx context.Context, d latency.Dist) error {
	if d.IsZero() {
		return nil
	}
	p.mu.Lock()
	delay := d.Sample(p.rng)
	p.mu.Unlock()
	if delay <= 0 {
		return nil
	}
	select {
	case <-p.cfg.Clock.After(delay):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Send "delivers" m: it records and prints it and returns a fake SID. A
// failure drawn from Failures refuses it (21xxx) or makes its receipt
// undelivered (30xxx).
func (p *Provider) Send(ctx context.Context, m broadcast.Outgoing) (string, error) {
	if err := p.wait(ctx, p.cfg.Latency); err != nil {
		return "", &broadcast.SendError{Class: broadcast.Ambiguous, Message: "interrupted", Err: err}
	}
	if p.cfg.Fault != nil {
		p.mu.Lock()
		key := m.From.Address + "|" + m.To + "|" + m.Body
		p.attempts[key]++
		attempt := p.attempts[key]
		p.mu.Unlock()
		if err, keep := p.cfg.Fault(m, attempt); err != nil {
			if keep {
				p.schedule(p.record(m), Failure{}, false)
			}
			return "", err
		}
	}
	fail, failed := p.drawFailure()
	if failed && fail.AtSend() {
		return "", sendError(fail.Code)
	}
	msg := p.record(m)
	p.schedule(msg, fail, failed)
	return msg.SID, nil
}

func (p *Provider) record(m broadcast.Outgoing) Message {
	p.mu.Lock()
	p.seq++
	msg := Message{SID: fmt.Sprintf("SMsim%027d", p.seq), From: m.From.Address, To: m.To, Body: m.Body, Created: p.cfg.Clock.Now()}
	p.sent = append(p.sent, msg)
	if len(p.sent) > 2*p.cfg.Keep {
		p.sent = append(p.sent[:0], p.sent[len(p.sent)-p.cfg.Keep:]...)
	}
	p.mu.Unlock()
	fmt.Fprintf(p.cfg.Out, "📱 %s → %s: %s\n", msg.From, msg.To, msg.Body)
	if p.cfg.Notify != nil {
		p.cfg.Notify(msg)
	}
	return msg
}

// Lookup returns the accepted texts from sender to to since since, after
// LookupLatency.
func (p *Provider) Lookup(ctx context.Context, from broadcast.Sender, to string, since time.Time) ([]broadcast.Sent, error) {
	if err := p.wait(ctx, p.cfg.LookupLatency); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []broadcast.Sent
	for _, m := range p.sent {
		if m.From == from.Address && m.To == to && !m.Created.Before(since) {
			out = append(out, broadcast.Sent{SID: m.SID, To: m.To, Body: m.Body, Created: m.Created})
		}
	}
	return out, nil
}

// Sent returns the accepted texts, oldest first: all of them, or the
// latest Keep.
func (p *Provider) Sent() []Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Message(nil), p.sent[max(0, len(p.sent)-p.cfg.Keep):]...)
}
