package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"smsbot/broadcast"
	"smsbot/stats"
)

// pollStats is /sms stats <id> for a poll: its answers (response rate,
// over time, time to answer, counts, changes), a line on its texts'
// delivery, and the chart of answers per option over time.
func (r *Router) pollStats(ctx context.Context, st stats.Store, p broadcast.Poll, conv Conversation) (Message, error) {
	rep, err := stats.ComputePoll(ctx, r.cfg.Polls, p.ID, r.clock.Now())
	if err != nil {
		return Message{}, err
	}
	delivery, err := stats.Compute(ctx, st, p.ID, r.cfg.PricePerSegment)
	if err != nil {
		return Message{}, err
	}
	b := delivery.Broadcast
	m := Message{Title: fmt.Sprintf("Poll #%d to %s: %s", p.ID, targetName(b), oneLine(p.Question.Text, 120))}
	answered := fmt.Sprintf("%d of %d", rep.Answered, rep.Recipients)
	if rep.Recipients > 0 {
		not := rep.Recipients - rep.Answered
		answered += fmt.Sprintf(" (%.1f%%) · %d %s not answered", 100*rep.ResponseRate, not, map[bool]string{true: "has", false: "have"}[not == 1])
	}
	var options []string
	total := 0
	for _, n := range rep.Counts {
		total += n
	}
	for i, o := range p.Question.Options {
		share := 0.0
		if total > 0 {
			share = float64(rep.Counts[i]) / float64(total)
		}
		options = append(options, fmt.Sprintf("%d) %s: %d (%.1f%%)", i+1, oneLine(o, 60), rep.Counts[i], 100*share))
	}
	m.Fields = append(m.Fields,
		Field{"Status", r.pollStatus(p)},
		Field{"Answered", answered},
		Field{"Answered over time", r.overTime(rep)},
		Field{"Time to answer", timeToAnswer(rep.TimeToAnswer)},
		Field{"Answers", strings.Join(options, "\n")},
		Field{"Changed answers", fmt.Sprintf("%d changed since their first answer", rep.Changed)},
		Field{"Texts", textsLine(delivery.Counts)},
		Field{"Segments", fmt.Sprintf("%d ≈ $%.2f", delivery.SegmentsSent, delivery.Cost)},
	)
	if at, ok := conv.(Attacher); ok && !rep.Start.IsZero() {
		png, err := stats.PollChart(fmt.Sprintf("Poll #%d to %s: %s", p.ID, targetName(b), oneLine(p.Question.Text, 60)), rep, r.cfg.Location)
		var where string
		if err == nil {
			where, err = at.Attach(ctx, fmt.Sprintf("poll-%d.png", p.ID), png, "Answers per option over time")
		}
		if err != nil {
			r.log.Error("drawing the poll chart failed", "broadcast_id", p.ID, "err", Redact(err))
		} else {
			m.Fields = append(m.Fields, Field{"Chart", where})
		}
	}
	return m, nil
}

// pollStatus says whether p is open, and until when, or when it closed.
func (r *Router) pollStatus(p broadcast.Poll) string {
	switch {
	case p.ClosedAt != nil:
		closed := "closed " + r.when(*p.ClosedAt)
		if p.ClosedBy != "" && p.ClosedBy != closingTimeActor {
			closed += " by " + p.ClosedBy
		}
		return closed
	case p.Question.ClosesAt != nil && !r.clock.Now().Before(*p.Question.ClosesAt):
		return "closed " + r.when(*p.Question.ClosesAt) + " (its closing time)"
	case p.Question.ClosesAt != nil:
		return "open until " + r.when(*p.Question.ClosesAt)
	}
	return "open, no closing time"
}

// overTime is the share of recipients who had answered at each
// milestone after the poll's first text: "within 5 min: 25.0% (1) ·
// within 15 min: 50.0% (2)".
func (r *Router) overTime(rep stats.PollReport) string {
	if rep.Start.IsZero() {
		return "no text sent yet"
	}
	var parts []string
	for _, at := range rep.OverTime {
		parts = append(parts, fmt.Sprintf("within %s: %.1f%% (%d)", milestone(at.After), 100*at.Rate, at.Answered))
	}
	if len(parts) == 0 {
		return fmt.Sprintf("first text sent %s, %s ago: the first figure is at %s", r.when(rep.Start),
			HumanDuration(r.clock.Now().Sub(rep.Start)), milestone(stats.Milestones[0]))
	}
	return strings.Join(parts, " · ")
}

// milestone names a time after a poll's first text: "15 min", "4 h",
// "7 days".
func milestone(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// timeToAnswer summarizes how long recipients took to first answer.
func timeToAnswer(d stats.Durations) string {
	if d.N == 0 {
		return "no answers yet"
	}
	return fmt.Sprintf("median %s, 90%% within %s (%s)", HumanDuration(d.Median), HumanDuration(d.P90), plural(d.N, "answer"))
}
