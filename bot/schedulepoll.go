package bot

import (
	"context"
	"fmt"

	"smsbot/broadcast"
	"smsbot/scheduler"
)

// scheduleSelector plans a schedule to a poll's answer group (/sms
// schedule <when> poll:4=2 <message>). ok is false when the command is a
// plain schedule to a list, which scheduleCmd plans.
func (r *Router) scheduleSelector(ctx context.Context, s Scheduler, inv Invocation, args string) (Message, bool, error) {
	w, rest, err := s.ReadWhen(args)
	if err != nil {
		return Message{}, false, nil // Plan says what is wrong with the time
	}
	first, body := cutArg(rest)
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
	return r.targetName(broadcast.Broadcast{ListName: sc.ListName, Group: sc.Group})
}
