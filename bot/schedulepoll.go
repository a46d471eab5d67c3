package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"smsbot/broadcast"
	"smsbot/scheduler"
)

// scheduleSelector plans a schedule to a poll's answer group (/sms
// schedule <when> poll:4=2 <message>) or a scheduled poll (/sms schedule
// <when> poll <list|poll:4=2> <question> | <option> | …). ok is false
// when the command is a plain schedule to a list, which scheduleCmd
// plans.
func (r *Router) scheduleSelector(ctx context.Context, s Scheduler, inv Invocation, args string) (Message, bool, error) {
	w, rest, err := s.ReadWhen(args)
	if err != nil {
		return Message{}, false, nil // Plan says what is wrong with the time
	}
	first, body := cutArg(rest)
	if strings.EqualFold(first, "poll") && (strings.Contains(body, "|") || r.checkList(ctx, first) != nil) {
		m, err := r.schedulePoll(ctx, s, inv, w, body)
		return m, true, err
	}
	g, isGroup, err := parseGroup(first)
	if !isGroup {
		return Message{}, false, nil
	}
	if err != nil {
		return Message{}, true, err
	}
	if _, err := r.polls(); err != nil {
		return Message{}, true, err
	}
	sc, p, err := s.PlanRequest(ctx, scheduler.Request{When: w, Group: g, Body: body, RequestedBy: inv.User})
	if err != nil {
		return Message{}, true, err
	}
	r.log.Info("schedule requested", "schedule_id", sc.ID, "user", inv.User, "recipients", p.Recipients(), "group", g.String())
	m := r.groupPreview(ctx, p)
	m.Title = fmt.Sprintf("Schedule #%d to %s, %s: waiting for approval", sc.ID, r.scheduleTarget(sc), r.timing(sc))
	m.Buttons = scheduleButtons(sc.ID)
	m.Fields = append(m.Fields, Field{"Note", "the group is read when it fires: those who answer by then are in it"})
	return m, true, nil
}

// scheduleButtons are a pending schedule's buttons.
func scheduleButtons(id int64) []Button {
	return []Button{
		{Label: "Approve", Action: action("sapprove", id), Style: Primary},
		{Label: "Cancel", Action: action("scancel", id), Style: Danger},
	}
}

// scheduleTarget names who a schedule texts: its list, or its answer
// group and list ("poll:4=2 on crew").
func (r *Router) scheduleTarget(sc scheduler.Schedule) string {
	return targetName(broadcast.Broadcast{ListName: sc.ListName, Group: sc.Group})
}

// schedulePoll plans a scheduled poll. A relative --closes ("in 2h")
// closes each run's poll that long after it; an absolute one is for a
// one-shot only (the scheduler turns it into a delay after the run).
func (r *Router) schedulePoll(ctx context.Context, s Scheduler, inv Invocation, w scheduler.When, args string) (Message, error) {
	if _, err := r.polls(); err != nil {
		return Message{}, err
	}
	if !strings.Contains(args, "|") {
		return Message{}, usage(`schedule <when> poll <list> <question> | <option> | <option>… [--closes "in 2h"] [--confirm "Got it: {answer}"]`)
	}
	now := r.clock.Now()
	d, err := parsePoll(args, now, s.Location())
	if err != nil {
		return Message{}, err
	}
	if d.Group.Whole() {
		if err := r.checkList(ctx, d.List); err != nil {
			return Message{}, err
		}
	}
	q := scheduler.Question{Text: d.Question.Text, Options: d.Question.Options, Confirm: d.Question.Confirm}
	req := scheduler.Request{When: w, List: d.List, Group: d.Group, Poll: &q, RequestedBy: inv.User}
	if c := d.Question.ClosesAt; c != nil {
		if relativeClosing(args) {
			q.ClosesIn = c.Sub(now.Truncate(time.Second)) // ParseWhen drops now's fraction of a second
		} else {
			req.Closes = *c
		}
	}
	sc, p, err := s.PlanRequest(ctx, req)
	if err != nil {
		return Message{}, err
	}
	r.log.Info("scheduled poll requested", "schedule_id", sc.ID, "user", inv.User, "recipients", p.Recipients(), "options", len(q.Options))
	return r.schedulePollPreview(ctx, sc, p), nil
}

// schedulePollPreview is a scheduled poll's preview: its first run's,
// with when each run closes.
func (r *Router) schedulePollPreview(ctx context.Context, sc scheduler.Schedule, p broadcast.Preview) Message {
	m := r.pollPreview(p, *p.Broadcast.Question)
	m.Title = fmt.Sprintf("Scheduled poll #%d to %s, %s: waiting for approval", sc.ID, r.scheduleTarget(sc), r.timing(sc))
	for i, f := range m.Fields {
		if f.Label == "Closes" && sc.Poll.ClosesIn > 0 {
			after := shortDuration(sc.Poll.ClosesIn)
			if sc.Spec == "" {
				m.Fields[i].Value = fmt.Sprintf("%s (%s after it is sent)", f.Value, after)
			} else {
				m.Fields[i].Value = fmt.Sprintf("%s after each run (the first: %s)", after, f.Value)
			}
		}
	}
	if f, ok := r.groupField(ctx, p.Broadcast); ok {
		m.Fields = append([]Field{f}, m.Fields...)
	}
	m.Buttons = scheduleButtons(sc.ID)
	note := "the list is read when it fires: people added by then get it too"
	if !sc.Group.Whole() {
		note = "the group is read when it fires: those who answer by then are in it"
	}
	m.Fields = append(m.Fields, Field{"Note", note + "; each run is a new poll with its own tally"})
	return m
}

// relativeClosing reports whether a poll command's --closes is relative
// ("in 2h") rather than a time.
func relativeClosing(args string) bool {
	rel := false // the last --closes counts, as in parsePoll
	for rest := args; ; {
		m := pollFlag.FindStringSubmatchIndex(rest)
		if m == nil {
			return rel
		}
		if strings.EqualFold(rest[m[4]:m[5]], "closes") {
			f := strings.Fields(strings.TrimLeft(strings.TrimSpace(rest[m[1]:]), "\"'“"))
			rel = len(f) > 0 && strings.EqualFold(f[0], "in")
		}
		rest = rest[m[1]:]
	}
}

// shortDuration writes d to the minute: 2h, 1h30m, 45m.
func shortDuration(d time.Duration) string {
	s := d.Round(time.Minute).String()
	s = strings.TrimSuffix(s, "0s")
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// scheduleNoun is what a schedule is called in its messages.
func scheduleNoun(sc scheduler.Schedule) string {
	if sc.Poll != nil {
		return "Scheduled poll"
	}
	return "Schedule"
}

// scheduleWhat is what a schedule sends, for /sms schedules: its first
// words, or a poll's question ("poll: Which shuttle? (2 options)").
func scheduleWhat(sc scheduler.Schedule) string {
	if sc.Poll != nil {
		return fmt.Sprintf("poll: %s (%d options)", oneLine(sc.Poll.Text, 80), len(sc.Poll.Options))
	}
	return firstWords(sc.Body, 6)
}
