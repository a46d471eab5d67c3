package bot

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"smsbot/broadcast"
	"smsbot/stats"
)

func (r *Router) statsStore() (stats.Store, error) {
	if r.cfg.Stats == nil {
		return nil, broadcast.Errorf(broadcast.EINVALID, "statistics are not available here")
	}
	return r.cfg.Stats, nil
}

// statsCmd reports on broadcasts: /sms stats [id].
func (r *Router) statsCmd(ctx context.Context, _ Invocation, args string, conv Conversation) (Message, error) {
	st, err := r.statsStore()
	if err != nil {
		return Message{}, err
	}
	w := words(args)
	switch len(w) {
	case 0:
		return r.recentStats(ctx, st)
	case 1:
		id, err := parseID(w[0])
		if err != nil {
			return Message{}, err
		}
		// A poll is a broadcast: its answers, with a line on delivery.
		if r.cfg.Polls != nil {
			p, err := r.cfg.Polls.Poll(ctx, id)
			if err == nil {
				return r.pollStats(ctx, st, p, conv)
			} else if broadcast.ErrorCode(err) != broadcast.ENOTFOUND {
				return Message{}, err
			}
		}
		return r.broadcastStats(ctx, st, id, conv)
	}
	return Message{}, usage("stats [id]")
}

func (r *Router) recentStats(ctx context.Context, st stats.Store) (Message, error) {
	list, total, err := stats.Recent(ctx, st, 10)
	if err != nil {
		return Message{}, err
	}
	if len(list) == 0 {
		return reply("No broadcasts yet."), nil
	}
	var lines []string
	for _, s := range list {
		b, c := s.Broadcast, s.Counts
		when := "not started"
		if b.StartedAt != nil {
			when = b.StartedAt.In(r.cfg.Location).Format("Mon 2 Jan 15:04")
		}
		lines = append(lines, fmt.Sprintf("#%d %s · %s · sent %d · delivered %d · undelivered %d · failed %d · replies %d · opt-outs %d · %s",
			b.ID, when, b.ListName, c.Done(), c.Delivered, c.Undelivered, c.Failed, s.Replies, s.OptOuts, HumanDuration(s.Duration)))
	}
	c := total.Counts
	lines = append(lines, fmt.Sprintf("*Total:* sent %d · delivered %d · undelivered %d · failed %d · replies %d · opt-outs %d · %s",
		c.Done(), c.Delivered, c.Undelivered, c.Failed, total.Replies, total.OptOuts, HumanDuration(total.Duration)))
	title := "The last broadcast that sent texts"
	if len(list) > 1 {
		title = fmt.Sprintf("The last %d broadcasts that sent texts", len(list))
	}
	return Message{Title: title, Text: strings.Join(lines, "\n")}, nil
}

func (r *Router) broadcastStats(ctx context.Context, st stats.Store, id int64, conv Conversation) (Message, error) {
	rep, err := stats.Compute(ctx, st, id, r.cfg.PricePerSegment)
	if err != nil {
		return Message{}, err
	}
	b, c := rep.Broadcast, rep.Counts
	m := Message{Title: fmt.Sprintf("Broadcast #%d to %s: %s", b.ID, b.ListName, b.Status), Text: quote(b.Body)}
	who := "requested by " + b.RequestedBy
	if b.ApprovedBy != "" {
		who += ", approved by " + b.ApprovedBy
	}
	if b.StartedAt != nil {
		who += ", started " + b.StartedAt.In(r.cfg.Location).Format("Mon 2 Jan 15:04:05 MST")
	}
	if b.FinishedAt != nil {
		who += ", ended " + b.FinishedAt.In(r.cfg.Location).Format("15:04:05") + " (" + HumanDuration(rep.Duration) + ")"
	}
	m.Fields = append(m.Fields, Field{"Who and when", who},
		Field{"Texts", textsLine(c)})
	if len(rep.Failures) > 0 {
		var lines []string
		for _, f := range rep.Failures {
			lines = append(lines, reasonLine(f.Reason))
		}
		m.Fields = append(m.Fields, Field{"Not delivered, by reason", strings.Join(lines, "\n")})
	}
	var senders []string
	for _, s := range rep.Senders {
		senders = append(senders, fmt.Sprintf("%s: %s, %s (%s)", s.Sender.Address, plural(s.Activity.Texts, "text"), achievedRate(s), configuredRate(s)))
	}
	if len(senders) > 0 {
		m.Fields = append(m.Fields, Field{"Senders", strings.Join(senders, "\n")})
	}
	m.Fields = append(m.Fields,
		Field{"Answers within 24 h", fmt.Sprintf("%s, %d opted out", plural(rep.Replies, "reply"), rep.OptOuts)},
		Field{"Segments", fmt.Sprintf("%d ≈ $%.2f", rep.SegmentsSent, rep.Cost)})
	if at, ok := conv.(Attacher); ok && len(rep.Senders) > 0 {
		series, _, err := stats.ChartData(ctx, st, id)
		if err == nil {
			var png []byte
			if png, err = stats.Chart(fmt.Sprintf("Broadcast #%d to %s", b.ID, b.ListName), series); err == nil {
				var where string
				if where, err = at.Attach(ctx, fmt.Sprintf("broadcast-%d.png", b.ID), png, "Sent (solid) and delivered (dashed) over time"); err == nil {
					m.Fields = append(m.Fields, Field{"Chart", where})
				}
			}
		}
		if err != nil {
			r.log.Error("drawing the chart failed", "broadcast_id", id, "err", Redact(err))
		}
	}
	return m, nil
}

// textsLine counts a broadcast's texts in /sms stats <id>: "4 sent: 3
// delivered (75.0%), 0 awaiting a receipt, 1 undelivered · 1 failed · 0
// skipped · 0 not sent yet", or, when none was accepted, "0 sent · 3
// failed · 0 skipped · 0 not sent yet".
func textsLine(c broadcast.Counts) string {
	rest := fmt.Sprintf("%d failed · %d skipped · %d not sent yet", c.Failed, c.Skipped, c.Remaining())
	if c.Done() == 0 {
		return "0 sent · " + rest
	}
	return fmt.Sprintf("%d sent: %s, %d awaiting a receipt, %d undelivered · %s",
		c.Done(), deliveredShare(c.Delivered, c.Done()), c.Sent, c.Undelivered, rest)
}

// achievedRate says what a sender achieved while it was sending, paused
// time and downtime left out: "4.98 segments/s over 1m02s of sending".
func achievedRate(s stats.SenderReport) string {
	if s.Active <= 0 {
		return "too few to measure a rate"
	}
	active := HumanDuration(s.Active)
	if s.Active < time.Second {
		active = strconv.FormatFloat(s.Active.Seconds(), 'f', 1, 64) + "s"
	}
	return fmt.Sprintf("%s over %s of sending", fmtSegmentRate(math.Round(s.Achieved*100)/100), active)
}

// configuredRate says what a sender was configured for while it sent the
// broadcast: "configured 5 segments/s", "configured 5, then 1 segment/s"
// after a change mid-broadcast, or today's rate, saying so, for a
// broadcast sent before rates were recorded.
func configuredRate(s stats.SenderReport) string {
	if len(s.Configured) == 0 {
		return "configured " + fmtSegmentRate(s.Sender.Rate) + " now; its rate when it sent was not recorded"
	}
	var rates []string
	for _, r := range s.Configured[:len(s.Configured)-1] {
		rates = append(rates, fmtRate(r))
	}
	rates = append(rates, fmtSegmentRate(s.Configured[len(s.Configured)-1]))
	return "configured " + strings.Join(rates, ", then ")
}

// exportCmd shares each recipient's outcome as CSV: /sms export <id>.
func (r *Router) exportCmd(ctx context.Context, _ Invocation, args string, conv Conversation) (Message, error) {
	st, err := r.statsStore()
	if err != nil {
		return Message{}, err
	}
	w := words(args)
	if len(w) != 1 {
		return Message{}, usage("export <id>")
	}
	id, err := parseID(w[0])
	if err != nil {
		return Message{}, err
	}
	at, ok := conv.(Attacher)
	if !ok {
		return Message{}, broadcast.Errorf(broadcast.EINVALID, "files cannot be shared here")
	}
	var buf bytes.Buffer
	if err := stats.Export(ctx, st, id, &buf); err != nil {
		return Message{}, err
	}
	name := fmt.Sprintf("broadcast-%d-%s.csv", id, r.clock.Now().In(r.cfg.Location).Format("20060102-1504"))
	where, err := at.Attach(ctx, name, buf.Bytes(), fmt.Sprintf("Outcome of each text of broadcast #%d", id))
	if err != nil {
		return Message{}, fmt.Errorf("share export: %w", err)
	}
	return ephemeral(fmt.Sprintf("Broadcast #%d, one line per recipient: %s", id, where)), nil
}
