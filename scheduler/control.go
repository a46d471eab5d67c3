package scheduler

import (
	"context"
	"fmt"
	"strings"
	"time"

	"smsbot/broadcast"
)

// Plan reads "/sms schedule <when> <list> <message>" (text is what follows
// "schedule"), previews the broadcast as it would be now, and stores the
// schedule pending approval. Bad input writes nothing.
func (s *Scheduler) Plan(ctx context.Context, text, user string) (Schedule, broadcast.Preview, error) {
	w, rest, err := s.ReadWhen(text)
	if err != nil {
		return Schedule{}, broadcast.Preview{}, err
	}
	list, body := cut(rest)
	if list == "" {
		return Schedule{}, broadcast.Preview{}, broadcast.Errorf(broadcast.EINVALID, "usage: /sms schedule <when> <list> <message>")
	}
	return s.PlanRequest(ctx, Request{When: w, List: list, Body: body, RequestedBy: user})
}

// Approve starts a pending schedule: from now on it fires by itself.
func (s *Scheduler) Approve(ctx context.Context, id int64, approver string) (Schedule, error) {
	sc, err := s.store.Schedule(ctx, id)
	if err != nil {
		return Schedule{}, err
	}
	w, err := sc.When()
	if err != nil {
		return Schedule{}, err
	}
	next := w.Next(s.clock.Now())
	if next.IsZero() {
		if _, err := s.store.SetSchedule(ctx, id, []Status{Pending}, Cancelled, time.Time{}, approver, s.clock.Now()); err != nil {
			return Schedule{}, s.conflict(ctx, id, err)
		}
		return Schedule{}, broadcast.Errorf(broadcast.ECONFLICT, "schedule #%d's time (%s) passed before it was approved; schedule it again", id, s.Describe(w.At))
	}
	sc, err = s.store.SetSchedule(ctx, id, []Status{Pending}, Active, next, approver, s.clock.Now())
	if err != nil {
		return Schedule{}, s.conflict(ctx, id, err)
	}
	s.wake()
	return sc, nil
}

// Cancel drops a schedule that waits for approval.
func (s *Scheduler) Cancel(ctx context.Context, id int64, actor string) (Schedule, error) {
	sc, err := s.store.SetSchedule(ctx, id, []Status{Pending}, Cancelled, time.Time{}, actor, s.clock.Now())
	return sc, s.conflict(ctx, id, err)
}

// Unschedule removes an approved schedule: it will not fire again. A
// broadcast it already started runs on (/sms cancel stops it).
func (s *Scheduler) Unschedule(ctx context.Context, id int64, actor string) (Schedule, error) {
	sc, err := s.store.SetSchedule(ctx, id, []Status{Pending, Active, Missed}, Cancelled, time.Time{}, actor, s.clock.Now())
	if err != nil {
		return Schedule{}, s.conflict(ctx, id, err)
	}
	s.wake()
	return sc, nil
}

// SendNow sends a missed one-shot now: the scheduler fires it at once.
func (s *Scheduler) SendNow(ctx context.Context, id int64, actor string) (Schedule, error) {
	now := s.clock.Now()
	sc, err := s.store.SetSchedule(ctx, id, []Status{Missed}, Active, now, actor, now)
	if err != nil {
		return Schedule{}, s.conflict(ctx, id, err)
	}
	s.wake()
	return sc, nil
}

// Drop gives up a missed one-shot.
func (s *Scheduler) Drop(ctx context.Context, id int64, actor string) (Schedule, error) {
	sc, err := s.store.SetSchedule(ctx, id, []Status{Missed}, Dropped, time.Time{}, actor, s.clock.Now())
	return sc, s.conflict(ctx, id, err)
}

// Get returns one schedule.
func (s *Scheduler) Get(ctx context.Context, id int64) (Schedule, error) {
	return s.store.Schedule(ctx, id)
}

// Upcoming returns the schedules that will fire, soonest first, and those
// waiting for approval or a decision.
func (s *Scheduler) Upcoming(ctx context.Context) ([]Schedule, error) {
	return s.store.Schedules(ctx, Active, Pending, Missed)
}

// conflict rewords an ECONFLICT from the store for the organizer.
func (s *Scheduler) conflict(ctx context.Context, id int64, err error) error {
	if broadcast.ErrorCode(err) != broadcast.ECONFLICT {
		return err
	}
	sc, gerr := s.store.Schedule(ctx, id)
	if gerr != nil {
		return gerr
	}
	switch sc.Status {
	case Active:
		return broadcast.Errorf(broadcast.ECONFLICT, "schedule #%d was already approved by %s", id, sc.ApprovedBy)
	case Cancelled, Dropped:
		return broadcast.Errorf(broadcast.ECONFLICT, "schedule #%d was %s", id, sc.Status)
	case Done:
		return broadcast.Errorf(broadcast.ECONFLICT, "schedule #%d has already run", id)
	case Missed:
		return broadcast.Errorf(broadcast.ECONFLICT, "schedule #%d was missed: send it now or drop it", id)
	}
	return broadcast.Errorf(broadcast.ECONFLICT, "schedule #%d is %s", id, sc.Status)
}

// Describe writes a time for the organizer, unambiguously: "Tue 1 Dec
// 18:45 PST (in 3h 12m)".
func (s *Scheduler) Describe(t time.Time) string {
	return Describe(t, s.clock.Now(), s.cfg.Location)
}

// Describe writes t in loc with how far it is from now.
func Describe(t, now time.Time, loc *time.Location) string {
	when := t.In(loc).Format("Mon 2 Jan 15:04 MST")
	d := t.Sub(now).Round(time.Minute)
	switch {
	case d > 0:
		return fmt.Sprintf("%s (in %s)", when, human(d))
	case d < 0:
		return fmt.Sprintf("%s (%s ago)", when, human(-d))
	}
	return when + " (now)"
}

// human writes a duration in days, hours and minutes: 3h 12m, 2d 4h.
func human(d time.Duration) string {
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, fmt.Sprintf("%dd", days))
	}
	if hours > 0 {
		parts = append(parts, fmt.Sprintf("%dh", hours))
	}
	if mins > 0 && days == 0 {
		parts = append(parts, fmt.Sprintf("%dm", mins))
	}
	if len(parts) == 0 {
		return "<1m"
	}
	return strings.Join(parts, " ")
}
