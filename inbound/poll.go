package inbound

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot"
	"smsbot/broadcast"
)

// Source is what polling needs of the provider.
type Source interface {
	// Received lists the texts received on our number to since since (the
	// provider may return more: Twilio filters by day).
	Received(ctx context.Context, to string, since time.Time) ([]Text, error)
	// Statuses lists the final statuses of every text sent from from since
	// since, however many there are (a short code sends 100 a second).
	Statuses(ctx context.Context, from broadcast.Sender, since time.Time) ([]StatusUpdate, error)
}

// PollStore is what polling needs of the database.
type PollStore interface {
	Cursor(ctx context.Context, name string) (string, error)
	SetCursor(ctx context.Context, name, value string) error
	// AwaitingStatus returns, per sender ID, the oldest send time of texts
	// sent since since that have no final status yet.
	AwaitingStatus(ctx context.Context, since time.Time) (map[int64]time.Time, error)
}

// PollConfig configures a Poller. Every field but Every, Clock and Logger
// is required.
type PollConfig struct {
	Source  Source
	Service *Service
	Store   PollStore
	// Senders lists our senders; texts are polled on the phone numbers.
	Senders func(ctx context.Context) ([]broadcast.Sender, error)
	// Reply sends a reply (HELP's answer, the auto-reply) to a contact:
	// without a webhook there is no TwiML to carry it.
	Reply  func(ctx context.Context, phone, body string) error
	Every  time.Duration // default 5s
	Clock  clockwork.Clock
	Logger *slog.Logger
}

// Poller finds incoming texts and delivery statuses by listing Twilio's
// messages, for a bot with no public URL for webhooks. A cursor per number
// in the store makes a restart neither miss nor repeat a text.
type Poller struct {
	cfg        PollConfig
	log        *slog.Logger
	lastStatus time.Time
}

// statusEvery is how often a poll also asks for delivery statuses: each
// asks for a page of messages per sender, so less often than for texts.
const statusEvery = time.Minute

// overlap is how far before its cursor a poll looks again, in case the
// provider shows a text late.
const overlap = 10 * time.Minute

// statusWindow is how long after sending a text's final status is awaited.
const statusWindow = 48 * time.Hour

// NewPoller returns a Poller.
func NewPoller(cfg PollConfig) (*Poller, error) {
	if cfg.Source == nil || cfg.Service == nil || cfg.Store == nil || cfg.Senders == nil || cfg.Reply == nil {
		return nil, errors.New("inbound: PollConfig needs Source, Service, Store, Senders and Reply")
	}
	cfg.Every = cmp.Or(cfg.Every, 5*time.Second)
	cfg.Clock = cmp.Or[clockwork.Clock](cfg.Clock, clockwork.NewRealClock())
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Poller{cfg: cfg, log: cfg.Logger.With("component", "poller")}, nil
}

// Run polls every Every until ctx ends.
func (p *Poller) Run(ctx context.Context) error {
	for {
		if err := p.Poll(ctx); err != nil && ctx.Err() == nil {
			p.log.Warn("polling Twilio failed; will retry", "err", bot.Redact(err))
			p.log.Debug("polling Twilio failed; will retry", "err", err)
		}
		t := p.cfg.Clock.NewTimer(p.cfg.Every)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.Chan():
		}
	}
}

// Poll does one round: texts received on each number, then statuses.
func (p *Poller) Poll(ctx context.Context) error {
	senders, err := p.cfg.Senders(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, s := range senders {
		if s.IsService() {
			continue // a Messaging Service's numbers are not known here
		}
		if err := p.pollReceived(ctx, s.Address); err != nil {
			errs = append(errs, fmt.Errorf("texts to %s: %w", s.Address, err))
		}
	}
	if now := p.cfg.Clock.Now(); now.Sub(p.lastStatus) >= statusEvery {
		p.lastStatus = now
		if err := p.pollStatuses(ctx, senders); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (p *Poller) pollReceived(ctx context.Context, number string) error {
	name := "poll:received:" + number
	raw, err := p.cfg.Store.Cursor(ctx, name)
	if err != nil {
		return err
	}
	if raw == "" {
		return p.startCursor(ctx, name, number)
	}
	cursor, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		return fmt.Errorf("cursor %s: %w", name, err)
	}
	texts, err := p.cfg.Source.Received(ctx, number, cursor.Add(-overlap))
	if err != nil {
		return err
	}
	sort.SliceStable(texts, func(i, j int) bool { return texts[i].At.Before(texts[j].At) })
	// Every text is tried, so one that fails cannot hold back a STOP
	// behind it; the cursor stops before the first failure, so that text
	// is listed again. (Receive sets aside a text the store refuses: only
	// a store that takes nothing, not even a dead letter, fails here.)
	var failed error
	for _, t := range texts {
		if t.At.Before(cursor.Add(-overlap)) {
			continue
		}
		if !ValidSID(t.SID) {
			p.log.Warn("skipped a listed text whose SID is not a Twilio SID", "number", number)
			continue
		}
		reply, err := p.cfg.Service.Receive(ctx, t)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			failed = cmp.Or(failed, err)
			continue
		}
		if reply != "" {
			if err := p.cfg.Reply(ctx, t.From, reply); err != nil {
				p.log.Warn("sending reply failed", "sid", t.SID, "err", bot.Redact(err))
				p.log.Debug("sending reply failed", "sid", t.SID, "err", err)
			}
		}
		if failed == nil && t.At.After(cursor) {
			cursor = t.At
			if err := p.cfg.Store.SetCursor(ctx, name, cursor.UTC().Format(time.RFC3339Nano)); err != nil {
				return err
			}
		}
	}
	return failed
}

// startCursor starts polling a number from now. The texts it already has
// are recorded as seen (STOP and START still count) but neither relayed nor
// answered: they came before the bot watched the number.
func (p *Poller) startCursor(ctx context.Context, name, number string) error {
	now := p.cfg.Clock.Now()
	texts, err := p.cfg.Source.Received(ctx, number, now.Add(-overlap))
	if err != nil {
		return err
	}
	var errs []error
	for _, t := range texts {
		if !ValidSID(t.SID) {
			p.log.Warn("skipped a listed text whose SID is not a Twilio SID", "number", number)
			continue
		}
		if err := p.cfg.Service.Backfill(ctx, t); err != nil {
			errs = append(errs, err) // the others still count: a STOP among them
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err // the cursor does not start: the next poll tries again
	}
	p.log.Info("polling a new number", "number", number, "texts_before", len(texts))
	return p.cfg.Store.SetCursor(ctx, name, now.UTC().Format(time.RFC3339Nano))
}

func (p *Poller) pollStatuses(ctx context.Context, senders []broadcast.Sender) error {
	awaiting, err := p.cfg.Store.AwaitingStatus(ctx, p.cfg.Clock.Now().Add(-statusWindow))
	if err != nil || len(awaiting) == 0 {
		return err
	}
	var errs []error
	for _, s := range senders {
		since, ok := awaiting[s.ID]
		if !ok {
			continue
		}
		updates, err := p.cfg.Source.Statuses(ctx, s, since)
		if err != nil {
			errs = append(errs, fmt.Errorf("statuses from %s: %w", s.Address, err))
			continue
		}
		for _, u := range updates {
			if !ValidSID(u.SID) {
				p.log.Warn("skipped a listed receipt whose SID is not a Twilio SID", "sender", s.Address)
				continue
			}
			if err := p.cfg.Service.Status(ctx, u); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
