package stats

import (
	"context"
	"sort"
	"time"

	"smsbot/broadcast"
)

// Report is everything /sms stats <id> shows.
type Report struct {
	Summary
	// DeliveryRate is the share of accepted texts confirmed delivered, 0–1.
	DeliveryRate float64
	Failures     []Failure
	Senders      []SenderReport
	// SegmentsSent counts the segments of accepted texts; Cost prices them.
	SegmentsSent int
	Cost         float64
}

// Failure is a group of texts that failed, were undelivered or skipped
// for the same reason, explained.
type Failure struct {
	broadcast.Reason
	Explanation broadcast.CarrierError // for provider error codes
}

// SenderReport is one sender's part: its texts and the rate it achieved
// against the rates it was configured for while it sent them.
type SenderReport struct {
	Sender   broadcast.Sender // as it is now
	Activity Activity
	// Configured are the rates the sender was configured for while it
	// sent this broadcast, in order, without repeats: one unless its rate
	// changed mid-broadcast. It is empty for a broadcast sent before
	// rates were recorded; Sender.Rate is today's rate.
	Configured []float64
	// Achieved is the segments per second it sent while it was sending:
	// over Active, which leaves out paused time and downtime (see
	// Stretches).
	Achieved float64
	// Active is how long it was sending, in stretches of steady sending.
	Active time.Duration
}

// Compute builds the report of broadcast id, pricing segments at price.
func Compute(ctx context.Context, st Store, id int64, price float64) (Report, error) {
	b, err := st.Broadcast(ctx, id)
	if err != nil {
		return Report{}, err
	}
	r := Report{}
	if r.Summary, err = Summarize(ctx, st, b); err != nil {
		return Report{}, err
	}
	if accepted := r.Counts.Done(); accepted > 0 {
		r.DeliveryRate = float64(r.Counts.Delivered) / float64(accepted)
	}
	reasons, err := st.Reasons(ctx, id)
	if err != nil {
		return Report{}, err
	}
	for _, rs := range reasons {
		f := Failure{Reason: rs}
		if rs.Code != "" {
			f.Explanation = broadcast.ExplainCarrierError(rs.Code)
		}
		r.Failures = append(r.Failures, f)
	}
	activity, err := st.SenderActivity(ctx, id)
	if err != nil {
		return Report{}, err
	}
	senders, err := st.Senders(ctx)
	if err != nil {
		return Report{}, err
	}
	byID := map[int64]broadcast.Sender{}
	for _, s := range senders {
		byID[s.ID] = s
	}
	rates, err := st.Rates(ctx, id)
	if err != nil {
		return Report{}, err
	}
	paused, err := st.Paused(ctx, id)
	if err != nil {
		return Report{}, err
	}
	sends := map[int64][]Send{}
	err = st.Timeline(ctx, id, func(p Point) error {
		sends[p.SenderID] = append(sends[p.SenderID], Send{At: p.Sent, Segments: p.Segments})
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	for _, a := range activity {
		sr := SenderReport{Sender: byID[a.SenderID], Activity: a, Configured: configured(rates, a.SenderID)}
		sr.Achieved, sr.Active = Achieved(Stretches(sends[a.SenderID], paused...))
		r.Senders = append(r.Senders, sr)
		r.SegmentsSent += a.Segments
	}
	sort.Slice(r.Senders, func(i, j int) bool { return r.Senders[i].Sender.ID < r.Senders[j].Sender.ID })
	r.Cost = float64(r.SegmentsSent) * price
	return r, nil
}

// configured lists the rates recorded for one sender, in order, without
// consecutive repeats.
func configured(rates []Rate, senderID int64) []float64 {
	var out []float64
	for _, r := range rates {
		if r.SenderID == senderID && (len(out) == 0 || out[len(out)-1] != r.Rate) {
			out = append(out, r.Rate)
		}
	}
	return out
}
