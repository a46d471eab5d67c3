package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"smsbot/broadcast"
	"smsbot/poll"
)

// Polls is what the router needs of the poll store; *store.Store
// implements it. Without it, /sms poll and the poll:<id>=<option>
// selectors are not available.
type Polls interface {
	Poll(ctx context.Context, id int64) (broadcast.Poll, error)
	// Polls returns the open polls, and with closedSince those closed
	// since, oldest first.
	Polls(ctx context.Context, closedSince *time.Time) ([]broadcast.Poll, error)
	Tally(ctx context.Context, id int64) (broadcast.Tally, error)
	// ClosePoll closes a poll; ECONFLICT when it is closed already.
	ClosePoll(ctx context.Context, id int64, actor string, now time.Time) (broadcast.Poll, error)
	// PollAnswers calls fn for each recipient of a poll, with their answer.
	PollAnswers(ctx context.Context, id int64, fn func(broadcast.PollAnswer) error) error
	// SaveTallyRef records ref, on platform, as the message showing a
	// poll's tally; TallyRef reads it back ("" and false if none).
	SaveTallyRef(ctx context.Context, id int64, platform, ref string, now time.Time) error
	TallyRef(ctx context.Context, id int64, platform string) (string, bool, error)
}

// polls returns the poll store, or why polls are not available.
func (r *Router) polls() (Polls, error) {
	if r.cfg.Polls == nil {
		return nil, broadcast.Errorf(broadcast.EINVALID, "polls are not available here")
	}
	return r.cfg.Polls, nil
}

// pollCmd previews a poll: /sms poll <list> <question> | <option> | …
func (r *Router) pollCmd(ctx context.Context, inv Invocation, args string, _ Conversation) (Message, error) {
	if _, err := r.polls(); err != nil {
		return Message{}, err
	}
	d, err := parsePoll(args, r.clock.Now(), r.cfg.Location)
	if err != nil {
		return Message{}, err
	}
	if d.Group.Whole() {
		if err := r.checkList(ctx, d.List); err != nil {
			return Message{}, err
		}
	}
	p, err := r.engine.Prepare(ctx, broadcast.Draft{
		List: d.List, Group: d.Group, Question: &d.Question, RequestedBy: inv.User,
		Body: poll.Body(d.Question.Text, d.Question.Options),
	})
	if err != nil {
		return Message{}, err
	}
	r.log.Info("poll requested", "broadcast_id", p.Broadcast.ID, "user", inv.User, "recipients", p.Recipients(), "options", len(d.Question.Options))
	m := r.pollPreview(p, d.Question)
	if f, ok := r.groupField(ctx, p.Broadcast); ok {
		m.Fields = append([]Field{f}, m.Fields...)
	}
	return m, nil
}

// pollPreview is a poll's preview: the broadcast's, titled as a poll,
// with its closing time and confirmation.
func (r *Router) pollPreview(p broadcast.Preview, q broadcast.Question) Message {
	m := r.previewMessage(p)
	m.Title = fmt.Sprintf("Poll #%d to %s: waiting for approval", p.Broadcast.ID, targetName(p.Broadcast))
	var extra []Field
	if q.ClosesAt != nil {
		extra = append(extra, Field{"Closes", r.when(*q.ClosesAt)})
	}
	if q.Confirm != "" {
		example := poll.Confirmation(q.Confirm, q.Options[0])
		extra = append(extra, Field{"Confirmation", fmt.Sprintf("%s (%s)", oneLine(example, 200), plural(broadcast.CountSegments(example).Segments, "segment")+" per answer")})
	}
	m.Fields = append(extra, m.Fields...)
	return m
}

// when shows t in the router's zone, with the date unless it is today.
func (r *Router) when(t time.Time) string {
	now := r.clock.Now().In(r.cfg.Location)
	t = t.In(r.cfg.Location)
	if t.Year() == now.Year() && t.YearDay() == now.YearDay() {
		return t.Format("15:04")
	}
	return t.Format("Mon Jan 2 15:04")
}

// targetName names who a broadcast goes to: its list, or its group and
// list ("poll:4=2 on crew").
func targetName(b broadcast.Broadcast) string {
	if b.Group.Whole() {
		return b.ListName
	}
	return b.Group.String() + " on " + b.ListName
}

// groupField names a broadcast's answer group for its preview: the
// option's label, or that they have not answered.
func (r *Router) groupField(ctx context.Context, b broadcast.Broadcast) (Field, bool) {
	if b.Group.Whole() || r.cfg.Polls == nil {
		return Field{}, false
	}
	p, err := r.cfg.Polls.Poll(ctx, b.Group.Poll)
	if err != nil {
		return Field{}, false
	}
	what := "have not answered"
	if o := b.Group.Option; o > 0 && o <= len(p.Question.Options) {
		what = fmt.Sprintf("answered %d) %s", o, oneLine(p.Question.Options[o-1], 60))
	}
	return Field{"Group", fmt.Sprintf("%s: those on %s who got poll #%d (%s) and %s", b.Group, b.ListName, p.ID, oneLine(p.Question.Text, 80), what)}, true
}

// sendGroup previews a send to a poll's answer group (/sms send
// poll:4=2 …).
func (r *Router) sendGroup(ctx context.Context, inv Invocation, g broadcast.Group, body string) (Message, error) {
	if _, err := r.polls(); err != nil {
		return Message{}, err
	}
	p, err := r.engine.Prepare(ctx, broadcast.Draft{Group: g, Body: body, RequestedBy: inv.User})
	if err != nil {
		return Message{}, err
	}
	r.log.Info("broadcast requested", "broadcast_id", p.Broadcast.ID, "user", inv.User, "recipients", p.Recipients(), "group", g.String())
	return r.groupPreview(ctx, p), nil
}

// groupPreview is the preview of a broadcast to an answer group.
func (r *Router) groupPreview(ctx context.Context, p broadcast.Preview) Message {
	m := r.previewMessage(p)
	m.Title = fmt.Sprintf("Broadcast #%d to %s: waiting for approval", p.Broadcast.ID, targetName(p.Broadcast))
	if f, ok := r.groupField(ctx, p.Broadcast); ok {
		m.Fields = append([]Field{f}, m.Fields...)
	}
	return m
}

// isGroup reports whether a command's first word names an answer group.
func isGroup(word string) bool { return strings.HasPrefix(strings.ToLower(word), "poll:") }
