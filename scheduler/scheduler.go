package scheduler

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
)

// Notifier tells the staff channel what the scheduler did on its own.
type Notifier interface {
	// Fired: a run started broadcast b.
	Fired(ctx context.Context, s Schedule, b broadcast.Broadcast)
	// Missed: a one-shot's time passed while the bot was down, by more
	// than the grace; staff choose to send it now or drop it.
	Missed(ctx context.Context, s Schedule, at time.Time)
	// Skipped: a recurring schedule missed n runs, the last at last.
	Skipped(ctx context.Context, s Schedule, n int, last time.Time)
	// Failed: a run could not start (the list is empty, no number…).
	Failed(ctx context.Context, s Schedule, err error)
}

// Config configures a Scheduler. Store and Engine are required.
type Config struct {
	Store    Store
	Engine   Engine
	Notifier Notifier // default: logs only; Start may set it
	// Location reads times without a zone (SMSBOT_TZ; default time.Local).
	Location *time.Location
	// MisfireGrace is how late a run may still start (default 10m).
	MisfireGrace time.Duration
	Clock        clockwork.Clock
	Logger       *slog.Logger
}

// Scheduler fires approved schedules. Its methods are safe for concurrent
// use.
type Scheduler struct {
	cfg   Config
	store Store
	clock clockwork.Clock
	log   *slog.Logger
	wakeC chan struct{}
	stop  context.CancelFunc
	done  chan struct{}
	mu    sync.Mutex // one fire at a time
}

// New returns a Scheduler; Start starts it.
func New(cfg Config) (*Scheduler, error) {
	if cfg.Store == nil || cfg.Engine == nil {
		return nil, errors.New("scheduler: Config.Store and Config.Engine are required")
	}
	cfg.Location = cmp.Or(cfg.Location, time.Local)
	cfg.MisfireGrace = cmp.Or(cfg.MisfireGrace, 10*time.Minute)
	cfg.Clock = cmp.Or[clockwork.Clock](cfg.Clock, clockwork.NewRealClock())
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Notifier == nil {
		cfg.Notifier = logNotifier{cfg.Logger}
	}
	return &Scheduler{cfg: cfg, store: cfg.Store, clock: cfg.Clock, log: cfg.Logger.With("component", "scheduler"),
		wakeC: make(chan struct{}, 1), done: make(chan struct{})}, nil
}

// Start settles what happened while the bot was down (runs claimed but
// not started, runs missed) and starts firing. Notices go to n (nil: the
// configured Notifier).
func (s *Scheduler) Start(ctx context.Context, n Notifier) error {
	if n != nil {
		s.cfg.Notifier = n
	}
	if err := s.recover(ctx); err != nil {
		return fmt.Errorf("start scheduler: %w", err)
	}
	loopCtx, stop := context.WithCancel(context.Background())
	s.stop = stop
	go s.loop(loopCtx)
	return nil
}

// Close stops firing. A run in progress finishes first.
func (s *Scheduler) Close() {
	if s.stop != nil {
		s.stop()
		<-s.done
	}
}

func (s *Scheduler) wake() {
	select {
	case s.wakeC <- struct{}{}:
	default:
	}
}

// loop sleeps until the next run is due, and fires it.
func (s *Scheduler) loop(ctx context.Context) {
	defer close(s.done)
	for {
		next, err := s.fireDue(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Error("firing schedules failed", "err", err)
			next = s.clock.Now().Add(time.Minute)
		}
		var due <-chan time.Time
		var t clockwork.Timer
		if !next.IsZero() {
			t = s.clock.NewTimer(max(next.Sub(s.clock.Now()), 0))
			due = t.Chan()
			if !next.After(s.clock.Now()) {
				// The clock passed next while the timer was set (a fake
				// clock's Advance in between): the timer counts from then.
				t.Stop()
				continue
			}
		}
		select {
		case <-ctx.Done():
		case <-s.wakeC:
		case <-due:
		}
		if t != nil {
			t.Stop()
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// fireDue fires the active schedules whose run is due and returns when
// the next one is.
func (s *Scheduler) fireDue(ctx context.Context) (time.Time, error) {
	active, err := s.store.Schedules(ctx, Active)
	if err != nil {
		return time.Time{}, err
	}
	now := s.clock.Now()
	var next time.Time
	for _, sc := range active {
		if sc.NextRun.IsZero() {
			continue
		}
		if !sc.NextRun.After(now) {
			if err := s.run(ctx, sc, sc.NextRun); err != nil {
				return time.Time{}, err
			}
			if sc, err = s.store.Schedule(ctx, sc.ID); err != nil || sc.Status != Active || sc.NextRun.IsZero() {
				continue
			}
		}
		if next.IsZero() || sc.NextRun.Before(next) {
			next = sc.NextRun
		}
	}
	return next, nil
}

// run fires schedule sc's run at runAt: it prepares the broadcast of the
// list (or answer group) as it is now, a poll closing after runAt, claims the run, and approves the broadcast in the
// name of the schedule's approver. A run too late (past the grace) is
// missed instead.
func (s *Scheduler) run(ctx context.Context, sc Schedule, runAt time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, err := sc.When()
	if err != nil {
		return err
	}
	now := s.clock.Now()
	next := time.Time{}
	if w.Recurring() {
		next = w.Next(maxTime(runAt, now))
	}
	if now.Sub(runAt) > s.cfg.MisfireGrace {
		return s.miss(ctx, sc, w, runAt, now)
	}
	p, err := s.cfg.Engine.Prepare(ctx, sc.draft(runAt))
	if err != nil {
		// Nothing to send this time; the schedule goes on.
		if claimed, cerr := s.store.ClaimRun(ctx, sc.ID, runAt, 0, next, !w.Recurring(), now); cerr != nil || !claimed {
			return cerr
		}
		if err := s.store.StartRun(ctx, sc.ID, runAt); err != nil {
			return err
		}
		s.cfg.Notifier.Failed(ctx, sc, err)
		return nil
	}
	claimed, err := s.store.ClaimRun(ctx, sc.ID, runAt, p.Broadcast.ID, next, !w.Recurring(), now)
	if err != nil {
		return err
	}
	if !claimed {
		s.log.Info("run already claimed; not firing it again", "schedule_id", sc.ID, "run_at", runAt)
		_, _ = s.cfg.Engine.Cancel(ctx, p.Broadcast.ID, "scheduler")
		return nil
	}
	return s.start(ctx, sc, Run{ScheduleID: sc.ID, At: runAt, BroadcastID: p.Broadcast.ID})
}

// start approves a claimed run's broadcast.
func (s *Scheduler) start(ctx context.Context, sc Schedule, r Run) error {
	b, err := s.cfg.Engine.Approve(ctx, r.BroadcastID, sc.ApprovedBy)
	if err != nil && broadcast.ErrorCode(err) != broadcast.ECONFLICT {
		return err
	}
	if err := s.store.StartRun(ctx, r.ScheduleID, r.At); err != nil {
		return err
	}
	if err == nil {
		s.log.Info("schedule fired", "schedule_id", sc.ID, "broadcast_id", b.ID, "run_at", r.At)
		s.cfg.Notifier.Fired(ctx, sc, b)
	}
	return nil
}

// miss handles a run found too late: a one-shot waits for staff to send it
// or drop it; a recurring schedule skips to its next run and says so.
func (s *Scheduler) miss(ctx context.Context, sc Schedule, w When, runAt, now time.Time) error {
	if !w.Recurring() {
		sc, err := s.store.SetSchedule(ctx, sc.ID, []Status{Active}, Missed, time.Time{}, "scheduler", now)
		if err != nil {
			return err
		}
		s.log.Warn("one-shot schedule missed while smsbot was down", "schedule_id", sc.ID, "run_at", runAt)
		s.cfg.Notifier.Missed(ctx, sc, runAt)
		return nil
	}
	n, last := 0, runAt
	for t := runAt; !t.IsZero() && now.Sub(t) > s.cfg.MisfireGrace && n < 10000; t = w.Next(t) {
		n, last = n+1, t
	}
	next := w.Next(last)
	sc, err := s.store.SetSchedule(ctx, sc.ID, []Status{Active}, Active, next, "scheduler", now)
	if err != nil {
		return err
	}
	s.log.Warn("recurring schedule skipped runs missed while smsbot was down", "schedule_id", sc.ID, "skipped", n)
	s.cfg.Notifier.Skipped(ctx, sc, n, last)
	return nil
}

// recover finishes runs claimed before a stop: those still within the
// grace start now; later ones are cancelled and treated as missed.
func (s *Scheduler) recover(ctx context.Context) error {
	runs, err := s.store.OpenRuns(ctx)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	for _, r := range runs {
		sc, err := s.store.Schedule(ctx, r.ScheduleID)
		if err != nil {
			return err
		}
		if r.BroadcastID == 0 {
			continue
		}
		if now.Sub(r.At) <= s.cfg.MisfireGrace {
			if err := s.start(ctx, sc, r); err != nil {
				return err
			}
			continue
		}
		if _, err := s.cfg.Engine.Cancel(ctx, r.BroadcastID, "scheduler"); err != nil && broadcast.ErrorCode(err) != broadcast.ECONFLICT {
			return err
		}
		if err := s.store.StartRun(ctx, r.ScheduleID, r.At); err != nil {
			return err
		}
		if sc.Spec == "" {
			if sc, err = s.store.SetSchedule(ctx, sc.ID, []Status{Active, Done}, Missed, time.Time{}, "scheduler", now); err != nil {
				return err
			}
			s.cfg.Notifier.Missed(ctx, sc, r.At)
		} else {
			s.cfg.Notifier.Skipped(ctx, sc, 1, r.At)
		}
	}
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// logNotifier only logs, for a bot without a staff channel.
type logNotifier struct{ log *slog.Logger }

func (l logNotifier) Fired(_ context.Context, s Schedule, b broadcast.Broadcast) {
	l.log.Info("schedule started a broadcast", "schedule_id", s.ID, "broadcast_id", b.ID)
}

func (l logNotifier) Missed(_ context.Context, s Schedule, at time.Time) {
	l.log.Warn("schedule missed; /sms schedules shows it", "schedule_id", s.ID, "at", at)
}

func (l logNotifier) Skipped(_ context.Context, s Schedule, n int, last time.Time) {
	l.log.Warn("schedule skipped missed runs", "schedule_id", s.ID, "skipped", n, "last", last)
}

func (l logNotifier) Failed(_ context.Context, s Schedule, err error) {
	l.log.Error("schedule could not start its broadcast", "schedule_id", s.ID, "err", strings.TrimSpace(broadcast.ErrorMessage(err)))
}
