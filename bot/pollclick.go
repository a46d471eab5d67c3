package bot

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"smsbot/broadcast"
	"smsbot/spreadsheet"
)

// pollClick handles a tally's buttons: Close now, Remind non-responders
// (a send to poll:<id>=none, previewed for approval like any other) and
// Export (a CSV of each recipient's answer, to the one who clicked).
func (r *Router) pollClick(ctx context.Context, c Click, verb string, id int64, conv Conversation) error {
	polls, err := r.polls()
	if err != nil {
		return err
	}
	switch verb {
	case "pclose":
		if err := r.access.change(c.User); err != nil {
			return err
		}
		if _, err := polls.ClosePoll(ctx, id, c.User, r.clock.Now()); err != nil {
			return err
		}
		t, err := polls.Tally(ctx, id)
		if err != nil {
			return err
		}
		r.log.Info("poll closed", "poll", id, "user", c.User, "answered", t.Answered)
		_, err = conv.Post(ctx, reply(fmt.Sprintf("Poll #%d closed by %s: %d of %d answered. Later answers are relayed as texts.", id, c.User, t.Answered, t.Recipients)))
		return err
	case "premind":
		if err := r.access.change(c.User); err != nil {
			return err
		}
		if p, err := polls.Poll(ctx, id); err != nil {
			return err
		} else if !p.Open(r.clock.Now()) {
			return broadcast.Errorf(broadcast.ECONFLICT, "poll #%d is closed: a reminder's answers would not count (send one with /sms send poll:%d=none … if you still want to)", id, id)
		}
		b, err := r.engine.Status(ctx, id)
		if err != nil {
			return err
		}
		p, err := r.engine.Prepare(ctx, broadcast.Draft{Group: broadcast.Group{Poll: id}, Body: "Reminder: " + b.Broadcast.Body, RequestedBy: c.User})
		if err != nil {
			return err
		}
		_, err = conv.Post(ctx, r.groupPreview(ctx, p))
		return err
	case "pexport":
		return r.exportPoll(ctx, c.User, id, conv)
	}
	return broadcast.Errorf(broadcast.EINVALID, "unknown button %q", c.Action)
}

// exportPoll shares poll id's answers as CSV: phone, name, answer,
// answered at, raw text; one line per recipient.
func (r *Router) exportPoll(ctx context.Context, user string, id int64, conv Conversation) error {
	if err := r.access.change(user); err != nil {
		return err
	}
	at, ok := conv.(Attacher)
	if !ok {
		return broadcast.Errorf(broadcast.EINVALID, "files cannot be shared here")
	}
	p, err := r.cfg.Polls.Poll(ctx, id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	w := spreadsheet.NewWriter(&buf)
	_ = w.Write([]string{"phone", "name", "answer", "option", "answered_at", "text"})
	n := 0
	err = r.cfg.Polls.PollAnswers(ctx, id, func(a broadcast.PollAnswer) error {
		n++
		answer, option, when := "", "", ""
		if a.Option > 0 && a.Option <= len(p.Question.Options) {
			answer, option = p.Question.Options[a.Option-1], fmt.Sprint(a.Option)
		}
		if a.AnsweredAt != nil {
			when = a.AnsweredAt.In(r.cfg.Location).Format("2006-01-02 15:04:05 MST")
		}
		return w.Write([]string{a.Contact.Phone, a.Contact.Name, answer, option, when, strings.ReplaceAll(a.Raw, "\x00", "")})
	})
	if err != nil {
		return err
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("write poll export: %w", err)
	}
	name := fmt.Sprintf("poll-%d-%s.csv", id, r.clock.Now().In(r.cfg.Location).Format("20060102-1504"))
	where, err := at.Attach(ctx, name, buf.Bytes(), fmt.Sprintf("Answers to poll #%d", id))
	if err != nil {
		return fmt.Errorf("share poll export: %w", err)
	}
	r.log.Info("poll exported", "poll", id, "user", user, "rows", n)
	_, err = conv.Post(ctx, ephemeral(fmt.Sprintf("Poll #%d, one line per recipient (%d): %s", id, n, where)))
	return err
}

// pollsCmd lists the open polls and those closed in the last week, with
// their answers so far: /sms polls.
func (r *Router) pollsCmd(ctx context.Context, _ Invocation, args string, _ Conversation) (Message, error) {
	polls, err := r.polls()
	if err != nil {
		return Message{}, err
	}
	if strings.TrimSpace(args) != "" {
		return Message{}, usage("polls")
	}
	since := r.clock.Now().AddDate(0, 0, -7)
	ps, err := polls.Polls(ctx, &since)
	if err != nil {
		return Message{}, err
	}
	if len(ps) == 0 {
		return reply("No polls yet. `/sms poll <list> <question> | <option> | <option>` asks one."), nil
	}
	var lines []string
	for _, p := range ps {
		t, err := polls.Tally(ctx, p.ID)
		if err != nil {
			return Message{}, err
		}
		state := "open"
		if p.ClosedAt != nil {
			state = "closed " + r.when(*p.ClosedAt)
		} else if c := p.Question.ClosesAt; c != nil {
			state = "open until " + r.when(*c)
		}
		lines = append(lines, fmt.Sprintf("#%d %s · %d of %d answered · %s", p.ID, oneLine(p.Question.Text, 60), t.Answered, t.Recipients, state))
	}
	return Message{Title: "Polls", Text: strings.Join(lines, "\n")}, nil
}
