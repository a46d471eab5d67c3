// Package sim is a simulated carrier: a broadcast.Provider that delivers
// texts by printing them. smsbot uses it whenever no Twilio credentials are
// set, so the whole bot can be tried without an account. Latency and
// faults can be injected for tests.
package sim

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
)

// Config configures a Provider. Zero values are fine.
type Config struct {
	// Out receives one line per delivered text (default: discard).
	Out io.Writer
	// Latency delays every Send, on Clock.
	Latency time.Duration
	Clock   clockwork.Clock
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
	sent     []Message
	attempts map[string]int // from|to|body → sends tried
	seq      int
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
	return &Provider{cfg: cfg, attempts: map[string]int{}}
}

// Send "delivers" m: it records and prints it and returns a fake SID.
func (p *Provider) Send(ctx context.Context, m broadcast.Outgoing) (string, error) {
	if p.cfg.Latency > 0 {
		select {
		case <-p.cfg.Clock.After(p.cfg.Latency):
		case <-ctx.Done():
			return "", &broadcast.SendError{Class: broadcast.Ambiguous, Message: "interrupted", Err: ctx.Err()}
		}
	}
	if p.cfg.Fault != nil {
		p.mu.Lock()
		key := m.From.Address + "|" + m.To + "|" + m.Body
		p.attempts[key]++
		attempt := p.attempts[key]
		p.mu.Unlock()
		if err, keep := p.cfg.Fault(m, attempt); err != nil {
			if keep {
				p.record(m)
			}
			return "", err
		}
	}
	return p.record(m).SID, nil
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

// Lookup returns the accepted texts from sender to to since since.
func (p *Provider) Lookup(_ context.Context, from broadcast.Sender, to string, since time.Time) ([]broadcast.Sent, error) {
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
