package stats

import (
	"context"
	"slices"
	"time"

	"smsbot/broadcast"
)

// PollStore is what a poll's report needs of the database.
// *store.Store implements it.
type PollStore interface {
	Poll(ctx context.Context, id int64) (broadcast.Poll, error)
	// PollAnswers calls fn for each recipient of a poll, with their
	// answer, and for each other contact who answered.
	PollAnswers(ctx context.Context, id int64, fn func(broadcast.PollAnswer) error) error
}

// Milestones are the times after a poll's first text at which its
// response rate is reported, once they have passed.
var Milestones = []time.Duration{5 * time.Minute, 15 * time.Minute, time.Hour, 4 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour}

// PollReport is everything /sms stats <poll id> shows of the answers.
type PollReport struct {
	Poll broadcast.Poll
	// Start is when the poll's first text was sent, zero if none was.
	Start time.Time
	// End is where the poll's timeline ends: its closing, or the time
	// of the report if it is still open.
	End time.Time
	// Recipients got the poll's text; Answered of them have answered,
	// a share ResponseRate (0–1) of them.
	Recipients   int
	Answered     int
	ResponseRate float64
	// OverTime is the response rate at each of the Milestones that
	// had passed at End.
	OverTime []RateAt
	// TimeToAnswer is how long recipients took to answer, from their
	// text's sending to their first answer.
	TimeToAnswer Durations
	// Counts[i] is how many answers are option i+1 now, from anyone.
	Counts []int
	// Changed counts the answers changed since they were first given.
	Changed int
	// Timeline[i] is when each current answer of option i+1 came, in
	// order: the chart's lines.
	Timeline [][]time.Time
}

// RateAt is the share of a poll's recipients who had answered After its
// first text.
type RateAt struct {
	After    time.Duration
	Answered int
	Rate     float64 // 0–1
}

// Durations summarizes a set of durations: their count, median and 90th
// percentile (nearest rank; zero when N is 0).
type Durations struct {
	N           int
	Median, P90 time.Duration
}

// ComputePoll builds the report of poll id at now, reading its answers
// once, one at a time.
func ComputePoll(ctx context.Context, st PollStore, id int64, now time.Time) (PollReport, error) {
	p, err := st.Poll(ctx, id)
	if err != nil {
		return PollReport{}, err
	}
	b := newPollBuilder(p, now)
	err = st.PollAnswers(ctx, id, func(a broadcast.PollAnswer) error {
		b.add(a)
		return nil
	})
	if err != nil {
		return PollReport{}, err
	}
	return b.report(), nil
}

// pollReport computes the report of p from its answers at now.
func pollReport(p broadcast.Poll, answers []broadcast.PollAnswer, now time.Time) PollReport {
	b := newPollBuilder(p, now)
	for _, a := range answers {
		b.add(a)
	}
	return b.report()
}

// pollEnd is where p's timeline ends at now: when it closed, or was to
// close, if that has come.
func pollEnd(p broadcast.Poll, now time.Time) time.Time {
	end := now
	if p.ClosedAt != nil && p.ClosedAt.Before(end) {
		end = *p.ClosedAt
	}
	if c := p.Question.ClosesAt; c != nil && c.Before(end) {
		end = *c
	}
	return end
}

// isRecipient reports whether a got the poll: its text was sent, or it
// is still on its way (unanswered rows are there for their status).
// A contact whose text failed after they answered is not a recipient,
// though their answer counts for its option.
func isRecipient(a broadcast.PollAnswer) bool { return a.SentAt != nil || a.Option == 0 }

// pollBuilder builds a poll's report from its answers, added one at a
// time.
type pollBuilder struct {
	r      PollReport
	firsts []time.Time // recipients' first answers
	waits  []time.Duration
}

// newPollBuilder starts the report of p as it is at now.
func newPollBuilder(p broadcast.Poll, now time.Time) *pollBuilder {
	n := len(p.Question.Options)
	return &pollBuilder{r: PollReport{Poll: p, Counts: make([]int, n), Timeline: make([][]time.Time, n), End: pollEnd(p, now)}}
}

// add counts one recipient or answer.
func (b *pollBuilder) add(a broadcast.PollAnswer) {
	r := &b.r
	if a.SentAt != nil && (r.Start.IsZero() || a.SentAt.Before(r.Start)) {
		r.Start = *a.SentAt
	}
	answered := a.Option >= 1 && a.Option <= len(r.Counts) && a.AnsweredAt != nil
	if answered {
		r.Counts[a.Option-1]++
		r.Timeline[a.Option-1] = append(r.Timeline[a.Option-1], *a.AnsweredAt)
		if a.FirstAt != nil && !a.FirstAt.Equal(*a.AnsweredAt) {
			r.Changed++
		}
	}
	if !isRecipient(a) {
		return
	}
	r.Recipients++
	if !answered {
		return
	}
	r.Answered++
	first := *a.AnsweredAt
	if a.FirstAt != nil {
		first = *a.FirstAt
	}
	b.firsts = append(b.firsts, first)
	if a.SentAt != nil {
		b.waits = append(b.waits, max(first.Sub(*a.SentAt), 0))
	}
}

// report is the report of the answers added.
func (b *pollBuilder) report() PollReport {
	r := b.r
	for _, t := range r.Timeline {
		slices.SortFunc(t, func(a, b time.Time) int { return a.Compare(b) })
	}
	if r.Recipients > 0 {
		r.ResponseRate = float64(r.Answered) / float64(r.Recipients)
	}
	if !r.Start.IsZero() {
		r.OverTime = rateOverTime(b.firsts, r.Recipients, r.Start, r.End)
	}
	r.TimeToAnswer = summarize(b.waits)
	return r
}

// rateOverTime is the share of recipients whose first answer came
// within each milestone after start, for the milestones passed by end.
func rateOverTime(firsts []time.Time, recipients int, start, end time.Time) []RateAt {
	var out []RateAt
	for _, m := range Milestones {
		if start.Add(m).After(end) {
			break
		}
		at := RateAt{After: m}
		for _, f := range firsts {
			if !f.After(start.Add(m)) {
				at.Answered++
			}
		}
		if recipients > 0 {
			at.Rate = float64(at.Answered) / float64(recipients)
		}
		out = append(out, at)
	}
	return out
}

// summarize is the count, median and 90th percentile of ds, by nearest
// rank: the smallest duration that at least half (nine in ten) of them
// are not longer than.
func summarize(ds []time.Duration) Durations {
	if len(ds) == 0 {
		return Durations{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return Durations{N: len(s), Median: nearestRank(s, 50), P90: nearestRank(s, 90)}
}

// nearestRank is the pct-th percentile of sorted, not empty: the
// element at rank ⌈pct/100 × n⌉, in whole numbers so that no rounding
// moves it.
func nearestRank(sorted []time.Duration, pct int) time.Duration {
	i := (pct*len(sorted)+99)/100 - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
