package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"smsbot/broadcast"
	"smsbot/scheduler"
)

var _ scheduler.Store = (*Store)(nil)

type scheduleRow struct {
	bun.BaseModel `bun:"table:schedules,alias:s"`

	ID          int64      `bun:"id,pk,autoincrement"`
	Spec        string     `bun:"spec"`
	At          *time.Time `bun:"at"`
	TZ          string     `bun:"tz"`
	ListID      int64      `bun:"list_id"`
	ListName    string     `bun:"list_name,scanonly"`
	GroupPoll   *int64     `bun:"group_poll"`
	GroupOption int        `bun:"group_option"`
	Body        string     `bun:"body"`
	Poll        string     `bun:"poll"`
	Status      string     `bun:"status"`
	RequestedBy string     `bun:"requested_by"`
	ApprovedBy  string     `bun:"approved_by"`
	CreatedAt   time.Time  `bun:"created_at"`
	ApprovedAt  *time.Time `bun:"approved_at"`
	NextRunAt   *time.Time `bun:"next_run_at"`
	LastRunAt   *time.Time `bun:"last_run_at"`
}

func (r scheduleRow) domain() (scheduler.Schedule, error) {
	s := scheduler.Schedule{ID: r.ID, Spec: r.Spec, TZ: r.TZ, ListID: r.ListID, ListName: r.ListName, Body: r.Body,
		Group: groupOf(r.GroupPoll, r.GroupOption), Status: scheduler.Status(r.Status), RequestedBy: r.RequestedBy,
		ApprovedBy: r.ApprovedBy, CreatedAt: r.CreatedAt, ApprovedAt: r.ApprovedAt}
	var err error
	if s.Poll, err = decodeScheduledPoll(r.Poll); err != nil {
		return scheduler.Schedule{}, fmt.Errorf("schedule #%d: %w", r.ID, err)
	}
	if r.At != nil {
		s.At = *r.At
	}
	if r.NextRunAt != nil {
		s.NextRun = *r.NextRunAt
	}
	if r.LastRunAt != nil {
		s.LastRun = *r.LastRunAt
	}
	return s, nil
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func selectSchedules(db bun.IDB, rows *[]scheduleRow) *bun.SelectQuery {
	return db.NewSelect().Model(rows).ColumnExpr("s.*").ColumnExpr("l.name AS list_name").
		Join("JOIN lists AS l ON l.id = s.list_id")
}

// CreateSchedule stores a schedule and audits the request.
func (s *Store) CreateSchedule(ctx context.Context, sc scheduler.Schedule) (scheduler.Schedule, error) {
	q, err := encodeScheduledPoll(sc.Poll)
	if err != nil {
		return scheduler.Schedule{}, fmt.Errorf("create schedule: %w", err)
	}
	r := scheduleRow{Spec: sc.Spec, At: nullTime(sc.At), TZ: sc.TZ, ListID: sc.ListID, Body: sc.Body,
		GroupPoll: groupPoll(sc.Group), GroupOption: sc.Group.Option, Poll: q,
		Status: string(sc.Status), RequestedBy: sc.RequestedBy, CreatedAt: sc.CreatedAt.UTC()}
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&r).Exec(ctx); err != nil {
			return err
		}
		return audit(ctx, tx, r.CreatedAt, sc.RequestedBy, "schedule.request", fmt.Sprintf("schedule #%d", r.ID), sc.ListName)
	})
	if err != nil {
		return scheduler.Schedule{}, fmt.Errorf("create schedule: %w", err)
	}
	return s.Schedule(ctx, r.ID)
}

// Schedule returns one schedule, or an ENOTFOUND error.
func (s *Store) Schedule(ctx context.Context, id int64) (scheduler.Schedule, error) {
	return getSchedule(ctx, s.db, id)
}

func getSchedule(ctx context.Context, db bun.IDB, id int64) (scheduler.Schedule, error) {
	var rows []scheduleRow
	if err := selectSchedules(db, &rows).Where("s.id = ?", id).Scan(ctx); err != nil {
		return scheduler.Schedule{}, fmt.Errorf("read schedule #%d: %w", id, err)
	}
	if len(rows) == 0 {
		return scheduler.Schedule{}, broadcast.Errorf(broadcast.ENOTFOUND, "there is no schedule #%d (see /sms schedules)", id)
	}
	return rows[0].domain()
}

// Schedules returns the schedules in the given statuses, soonest first.
func (s *Store) Schedules(ctx context.Context, statuses ...scheduler.Status) ([]scheduler.Schedule, error) {
	var rows []scheduleRow
	err := selectSchedules(s.db, &rows).Where("s.status IN (?)", bun.List(statuses)).
		OrderExpr("s.next_run_at IS NULL, s.next_run_at, s.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("read schedules: %w", err)
	}
	out := make([]scheduler.Schedule, len(rows))
	for i, r := range rows {
		if out[i], err = r.domain(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SetSchedule moves a schedule between statuses, with its next run.
func (s *Store) SetSchedule(ctx context.Context, id int64, from []scheduler.Status, to scheduler.Status, next time.Time, actor string, now time.Time) (scheduler.Schedule, error) {
	var out scheduler.Schedule
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		cur, err := getSchedule(ctx, tx, id)
		if err != nil {
			return err
		}
		if !slices.Contains(from, cur.Status) {
			return broadcast.Errorf(broadcast.ECONFLICT, "schedule #%d is %s", id, cur.Status)
		}
		q := tx.NewUpdate().Model((*scheduleRow)(nil)).Set("status = ?", to).Set("next_run_at = ?", nullTime(next)).Where("id = ?", id)
		if cur.Status == scheduler.Pending && to == scheduler.Active {
			q = q.Set("approved_by = ?", actor).Set("approved_at = ?", now.UTC())
		}
		if _, err := q.Exec(ctx); err != nil {
			return err
		}
		action := fmt.Sprintf("schedule.%s", to)
		if cur.Status == scheduler.Pending && to == scheduler.Active {
			action = "schedule.approve"
		}
		if err := audit(ctx, tx, now, actor, action, fmt.Sprintf("schedule #%d", id), ""); err != nil {
			return err
		}
		out, err = getSchedule(ctx, tx, id)
		return err
	})
	if err != nil {
		return scheduler.Schedule{}, fmt.Errorf("schedule #%d to %s: %w", id, to, err)
	}
	return out, nil
}

// ClaimRun records a run once and moves the schedule on, in one transaction.
func (s *Store) ClaimRun(ctx context.Context, id int64, runAt time.Time, broadcastID int64, next time.Time, final bool, now time.Time) (bool, error) {
	claimed := false
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var b any
		if broadcastID != 0 {
			b = broadcastID
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO schedule_runs (schedule_id, run_at, broadcast_id, claimed_at)
			VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, id, runAt.UTC(), b, now.UTC())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		claimed = true
		status := scheduler.Active
		if final {
			status = scheduler.Done
		}
		_, err = tx.NewUpdate().Model((*scheduleRow)(nil)).Set("status = ?", status).
			Set("next_run_at = ?", nullTime(next)).Set("last_run_at = ?", runAt.UTC()).Where("id = ?", id).Exec(ctx)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("claim run of schedule #%d: %w", id, err)
	}
	return claimed, nil
}

// StartRun records that a claimed run's broadcast was approved.
func (s *Store) StartRun(ctx context.Context, id int64, runAt time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE schedule_runs SET started = TRUE WHERE schedule_id = ? AND run_at = ?`, id, runAt.UTC()); err != nil {
		return fmt.Errorf("start run of schedule #%d: %w", id, err)
	}
	return nil
}

// OpenRuns returns the runs claimed but not started.
func (s *Store) OpenRuns(ctx context.Context) ([]scheduler.Run, error) {
	var rows []struct {
		ScheduleID  int64         `bun:"schedule_id"`
		RunAt       time.Time     `bun:"run_at"`
		BroadcastID sql.NullInt64 `bun:"broadcast_id"`
	}
	err := s.db.NewRaw(`SELECT schedule_id, run_at, broadcast_id FROM schedule_runs WHERE NOT started ORDER BY run_at`).Scan(ctx, &rows)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read open runs: %w", err)
	}
	out := make([]scheduler.Run, len(rows))
	for i, r := range rows {
		out[i] = scheduler.Run{ScheduleID: r.ScheduleID, At: r.RunAt, BroadcastID: r.BroadcastID.Int64}
	}
	return out, nil
}
