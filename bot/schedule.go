package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"smsbot/broadcast"
	"smsbot/scheduler"
)

// Scheduler is what the router needs of the scheduler.
type Scheduler interface {
	Plan(ctx context.Context, text, user string) (scheduler.Schedule, broadcast.Preview, error)
	// ReadWhen reads the <when> a schedule command starts with, and
	// PlanRequest plans what follows it (an answer group, a poll).
	ReadWhen(text string) (scheduler.When, string, error)
	PlanRequest(ctx context.Context, req scheduler.Request) (scheduler.Schedule, broadcast.Preview, error)
	// Location is the zone times without one are read in.
	Location() *time.Location
	Get(ctx context.Context, id int64) (scheduler.Schedule, error)
	Approve(ctx context.Context, id int64, user string) (scheduler.Schedule, error)
	Cancel(ctx context.Context, id int64, user string) (scheduler.Schedule, error)
	Unschedule(ctx context.Context, id int64, user string) (scheduler.Schedule, error)
	SendNow(ctx context.Context, id int64, user string) (scheduler.Schedule, error)
	Drop(ctx context.Context, id int64, user string) (scheduler.Schedule, error)
	Upcoming(ctx context.Context) ([]scheduler.Schedule, error)
	Describe(t time.Time) string
}

func (r *Router) scheduler() (Scheduler, error) {
	if r.cfg.Scheduler == nil {
		return nil, broadcast.Errorf(broadcast.EINVALID, "scheduling is not available here")
	}
	return r.cfg.Scheduler, nil
}

// scheduleCmd plans a schedule: /sms schedule <when> <list> <message>.
func (r *Router) scheduleCmd(ctx context.Context, inv Invocation, args string, _ Conversation) (Message, error) {
	s, err := r.scheduler()
	if err != nil {
		return Message{}, err
	}
	if strings.TrimSpace(args) == "" {
		return Message{}, usage(`schedule <when> <list> <message>; <when> is 18:45, "tomorrow 09:00", "in 30m" or a cron spec in quotes like "0 9 * * *"; <list> may be an answer group (poll:4=2, poll:4=none); schedule <when> poll <list> <question> | <option> | … schedules a poll`)
	}
	if m, ok, err := r.scheduleSelector(ctx, s, inv, args); ok {
		return m, err
	}
	if err := r.checkScheduleList(ctx, args); err != nil {
		return Message{}, err
	}
	sc, p, err := s.Plan(ctx, args, inv.User)
	if err != nil {
		return Message{}, err
	}
	m := r.previewMessage(p)
	m.Title = fmt.Sprintf("Schedule #%d to %s, %s: waiting for approval", sc.ID, r.scheduleTarget(sc), r.timing(sc))
	m.Buttons = scheduleButtons(sc.ID)
	m.Fields = append(m.Fields, Field{"Note", "the list is read when it fires: people added by then get it too"})
	return m, nil
}

// timing says when a schedule fires: "Tue 1 Dec 18:45 PST (in 3h 12m)" or
// `every "0 9 * * *", next Wed 2 Dec 09:00 PST (in 17h 27m)`.
func (r *Router) timing(sc scheduler.Schedule) string {
	s, _ := r.scheduler()
	if sc.Spec == "" {
		return "at " + s.Describe(sc.At)
	}
	w, err := sc.When()
	next := sc.NextRun
	if next.IsZero() && err == nil {
		next = w.Next(r.clock.Now())
	}
	return fmt.Sprintf("on %q (%s), next %s", sc.Spec, sc.TZ, s.Describe(next))
}

// schedulesCmd lists what will fire: /sms schedules.
func (r *Router) schedulesCmd(ctx context.Context, _ Invocation, _ string, _ Conversation) (Message, error) {
	s, err := r.scheduler()
	if err != nil {
		return Message{}, err
	}
	list, err := s.Upcoming(ctx)
	if err != nil {
		return Message{}, err
	}
	if len(list) == 0 {
		return reply("Nothing is scheduled. `/sms schedule <when> <list> <message>` plans an announcement."), nil
	}
	var lines []string
	for _, sc := range list {
		who := "waiting for approval"
		switch sc.Status {
		case scheduler.Active:
			who = "approved by " + sc.ApprovedBy
		case scheduler.Missed:
			who = "missed while smsbot was down: send it now or drop it"
		}
		lines = append(lines, fmt.Sprintf("#%d %s · %s · %s · %s", sc.ID, r.timing(sc), r.scheduleTarget(sc), scheduleWhat(sc), who))
	}
	return Message{Title: "Schedules", Text: strings.Join(lines, "\n")}, nil
}

// unscheduleCmd removes a schedule: /sms unschedule <id>.
func (r *Router) unscheduleCmd(ctx context.Context, inv Invocation, args string, _ Conversation) (Message, error) {
	s, err := r.scheduler()
	if err != nil {
		return Message{}, err
	}
	w := words(args)
	if len(w) != 1 {
		return Message{}, usage("unschedule <id>")
	}
	id, err := parseScheduleID(w[0])
	if err != nil {
		return Message{}, err
	}
	sc, err := s.Unschedule(ctx, id, inv.User)
	if err != nil {
		return Message{}, err
	}
	return reply(fmt.Sprintf("%s #%d to %s removed by %s; it will not fire.", scheduleNoun(sc), sc.ID, r.scheduleTarget(sc), inv.User)), nil
}

func parseScheduleID(s string) (int64, error) {
	id, err := parseID(s)
	if err != nil {
		return 0, broadcast.Errorf(broadcast.EINVALID, "%q is not a schedule id; ids look like #3 (see /sms schedules)", s)
	}
	return id, nil
}

// scheduleClick handles a schedule's buttons.
func (r *Router) scheduleClick(ctx context.Context, c Click, verb string, id int64, conv Conversation) error {
	s, err := r.scheduler()
	if err != nil {
		return err
	}
	sc, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	switch verb {
	case "sapprove":
		if err := r.access.approve(c.User, sc.RequestedBy); err != nil {
			return err
		}
		if sc, err = s.Approve(ctx, id, c.User); err != nil {
			return err
		}
		return conv.Update(ctx, c.Message, Message{
			Title: fmt.Sprintf("%s #%d to %s, %s", scheduleNoun(sc), sc.ID, r.scheduleTarget(sc), r.timing(sc)),
			Text:  quote(sc.Body) + fmt.Sprintf("\nApproved by %s; it will fire by itself. `/sms unschedule %d` removes it.", c.User, sc.ID),
		})
	case "scancel", "sdrop":
		if c.User != sc.RequestedBy {
			if err := r.access.change(c.User); err != nil {
				return err
			}
		}
		if verb == "scancel" {
			_, err = s.Cancel(ctx, id, c.User)
		} else {
			_, err = s.Drop(ctx, id, c.User)
		}
		if err != nil {
			return err
		}
		return conv.Update(ctx, c.Message, Message{Title: fmt.Sprintf("%s #%d to %s: %s by %s", scheduleNoun(sc), id, r.scheduleTarget(sc),
			map[string]string{"scancel": "cancelled", "sdrop": "dropped"}[verb], c.User), Text: quote(sc.Body)})
	case "snow":
		if err := r.access.change(c.User); err != nil {
			return err
		}
		if _, err := s.SendNow(ctx, id, c.User); err != nil {
			return err
		}
		return conv.Update(ctx, c.Message, Message{Title: fmt.Sprintf("Schedule #%d to %s: sending now, as %s asked", id, r.scheduleTarget(sc), c.User), Text: quote(sc.Body)})
	}
	return broadcast.Errorf(broadcast.EINVALID, "unknown button %q", c.Action)
}
