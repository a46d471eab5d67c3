// Package scheduler sends announcements at set times: once ("18:45",
// "tomorrow 09:00", "in 30m") or on a cron spec ("0 9 * * *"), in the
// organizer's time zone. Schedules are approved once, stored, and fire by
// themselves; each run is claimed in the store before it starts, so none
// fires twice, and runs missed while the bot was down are not sent late.
package scheduler

import (
	"context"
	"time"

	"smsbot/broadcast"
)

// Status is the state of a schedule.
type Status string

// Schedule statuses. Pending waits for approval; Active fires; Missed
// waits for a decision after a one-shot was missed; the rest are final.
const (
	Pending   Status = "pending"
	Active    Status = "active"
	Missed    Status = "missed"
	Done      Status = "done"
	Cancelled Status = "cancelled"
	Dropped   Status = "dropped"
)

// Schedule is a timed or recurring announcement to a list.
type Schedule struct {
	ID       int64
	Spec     string    // cron spec; "" for a one-shot
	At       time.Time // one-shot time
	TZ       string    // zone the times are read in
	ListID   int64
	ListName string
	// Group narrows the list to a poll's answer group, read at each run.
	Group broadcast.Group
	Body  string
	// Poll, when set, makes each run a poll (Body is its text).
	Poll        *Question
	Status      Status
	RequestedBy string
	ApprovedBy  string
	CreatedAt   time.Time
	ApprovedAt  *time.Time
	NextRun     time.Time // zero when none
	LastRun     time.Time
}

// When returns the schedule's timing.
func (s Schedule) When() (When, error) {
	loc, err := time.LoadLocation(s.TZ)
	if err != nil {
		loc = time.UTC
	}
	if s.Spec != "" {
		return ParseSpec(s.Spec, loc)
	}
	return When{At: s.At, Location: loc}, nil
}

// Run is one claimed fire of a schedule.
type Run struct {
	ScheduleID  int64
	At          time.Time
	BroadcastID int64
}

// Store persists schedules. *store.Store implements it.
type Store interface {
	CreateSchedule(ctx context.Context, s Schedule) (Schedule, error)
	// Schedule returns one schedule, or an ENOTFOUND error.
	Schedule(ctx context.Context, id int64) (Schedule, error)
	// Schedules returns the schedules in the given statuses, by next run.
	Schedules(ctx context.Context, statuses ...Status) ([]Schedule, error)
	// SetSchedule moves a schedule from one of from to to, with its next
	// run (zero: none), recording actor (as approver when approving) and an
	// audit entry. ECONFLICT if the schedule is not in from.
	SetSchedule(ctx context.Context, id int64, from []Status, to Status, next time.Time, actor string, now time.Time) (Schedule, error)
	// ClaimRun records the run of schedule id at runAt with its broadcast
	// and moves the schedule to its next run (final: done), in one
	// transaction. It reports false, changing nothing, if the run was
	// claimed before.
	ClaimRun(ctx context.Context, id int64, runAt time.Time, broadcastID int64, next time.Time, final bool, now time.Time) (bool, error)
	// StartRun records that a claimed run's broadcast was approved.
	StartRun(ctx context.Context, id int64, runAt time.Time) error
	// OpenRuns returns the runs claimed but not started.
	OpenRuns(ctx context.Context) ([]Run, error)
}

// Engine is what the scheduler needs of the broadcast engine.
type Engine interface {
	Preview(ctx context.Context, d broadcast.Draft) (broadcast.Preview, error)
	Prepare(ctx context.Context, d broadcast.Draft) (broadcast.Preview, error)
	Approve(ctx context.Context, id int64, approver string) (broadcast.Broadcast, error)
	Cancel(ctx context.Context, id int64, actor string) (broadcast.Broadcast, error)
}
