// Package stats reports on broadcasts after the fact: delivery counts and
// rates, failures explained, each sender's achieved rate, replies and
// opt-outs, a chart of sending over time, a per-recipient CSV export, and
// Prometheus metrics.
package stats

import (
	"context"
	"time"

	"smsbot/broadcast"
)

// Store is what reporting needs of the database. *store.Store implements it.
type Store interface {
	Broadcast(ctx context.Context, id int64) (broadcast.Broadcast, error)
	// SentBroadcasts returns, newest first, up to limit broadcasts that
	// sent something: at least one text the provider accepted or refused.
	SentBroadcasts(ctx context.Context, limit int) ([]broadcast.Broadcast, error)
	Counts(ctx context.Context, id int64) (broadcast.Counts, error)
	Reasons(ctx context.Context, id int64) ([]broadcast.Reason, error)
	Senders(ctx context.Context) ([]broadcast.Sender, error)
	// SenderActivity sums a broadcast's accepted texts per sender.
	SenderActivity(ctx context.Context, id int64) ([]Activity, error)
	// Responses counts texts received from a broadcast's recipients, and
	// the STOPs among them, between from and to.
	Responses(ctx context.Context, id int64, from, to time.Time) (replies, optOuts int, err error)
	// Timeline calls fn with every accepted text of a broadcast, by send time.
	Timeline(ctx context.Context, id int64, fn func(Point) error) error
	// Outcomes calls fn with every recipient's outcome, in contact order.
	Outcomes(ctx context.Context, id int64, fn func(Outcome) error) error
	// Rates returns the rates recorded for a broadcast's senders while it
	// ran, by sender and then in the order they were recorded.
	Rates(ctx context.Context, id int64) ([]Rate, error)
	// Paused returns the intervals the broadcast spent paused, in order;
	// one still in force has a zero To.
	Paused(ctx context.Context, id int64) ([]Interval, error)
}

// Rate is a sender's configured rate, in segments per second, from Since
// on, while it sent one broadcast.
type Rate struct {
	SenderID int64
	Rate     float64
	Since    time.Time
}

// Activity is what one sender did in a broadcast.
type Activity struct {
	SenderID    int64
	Texts       int
	Segments    int
	First, Last time.Time // first and last accepted send
}

// Point is one accepted text, for the chart.
type Point struct {
	SenderID  int64
	Segments  int
	Sent      time.Time
	Delivered time.Time // zero when not (yet) delivered
}

// Outcome is one recipient's line in the export.
type Outcome struct {
	Phone       string
	Name        string
	Sender      string
	Status      broadcast.MessageStatus
	ErrorCode   string
	ErrorText   string
	SentAt      time.Time
	DeliveredAt time.Time
}

// ResponseWindow is how long after a broadcast starts replies and
// opt-outs are counted as answers to it.
const ResponseWindow = 24 * time.Hour

// Summary is one broadcast in /sms stats.
type Summary struct {
	Broadcast broadcast.Broadcast
	Counts    broadcast.Counts
	Replies   int
	OptOuts   int
	Duration  time.Duration
}

// Summarize reads one broadcast's line.
func Summarize(ctx context.Context, st Store, b broadcast.Broadcast) (Summary, error) {
	s := Summary{Broadcast: b}
	var err error
	if s.Counts, err = st.Counts(ctx, b.ID); err != nil {
		return s, err
	}
	if b.StartedAt != nil {
		s.Replies, s.OptOuts, err = st.Responses(ctx, b.ID, *b.StartedAt, b.StartedAt.Add(ResponseWindow))
		if err != nil {
			return s, err
		}
		if b.FinishedAt != nil {
			s.Duration = b.FinishedAt.Sub(*b.StartedAt)
		}
	}
	return s, nil
}

// Recent summarizes the latest broadcasts that sent something, newest
// first, and their total. Broadcasts that never sent a text (pending,
// declined, cancelled before starting) are left out.
func Recent(ctx context.Context, st Store, limit int) ([]Summary, Summary, error) {
	bs, err := st.SentBroadcasts(ctx, limit)
	if err != nil {
		return nil, Summary{}, err
	}
	var out []Summary
	var total Summary
	for _, b := range bs {
		s, err := Summarize(ctx, st, b)
		if err != nil {
			return nil, Summary{}, err
		}
		out = append(out, s)
		c, t := s.Counts, &total.Counts
		t.Total += c.Total
		t.Queued += c.Queued
		t.Sending += c.Sending
		t.Sent += c.Sent
		t.Delivered += c.Delivered
		t.Undelivered += c.Undelivered
		t.Failed += c.Failed
		t.Skipped += c.Skipped
		total.Replies += s.Replies
		total.OptOuts += s.OptOuts
		total.Duration += s.Duration
	}
	return out, total, nil
}
