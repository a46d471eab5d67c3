package scheduler

import (
	"context"
	"time"

	"smsbot/broadcast"
	"smsbot/poll"
)

// Question is a scheduled poll: what each run asks, and how long after
// the run it closes.
type Question struct {
	Text    string
	Options []string
	// Confirm, when not "", is texted back to each answer (see
	// broadcast.Question).
	Confirm string
	// ClosesIn, when not 0, closes each run's poll this long after the run.
	ClosesIn time.Duration
}

// At is the question the run at runAt asks: it closes ClosesIn after it.
func (q Question) At(runAt time.Time) *broadcast.Question {
	bq := &broadcast.Question{Text: q.Text, Options: append([]string(nil), q.Options...), Confirm: q.Confirm}
	if q.ClosesIn > 0 {
		at := runAt.Add(q.ClosesIn)
		bq.ClosesAt = &at
	}
	return bq
}

// Body is the text each run of the poll sends.
func (q Question) Body() string { return poll.Body(q.Text, q.Options) }

// Request is a schedule as an organizer asks for it, its time read (see
// ReadWhen).
type Request struct {
	When When
	// List is the list to text; with a Group it may be "" (the poll's list).
	List  string
	Group broadcast.Group
	// Body is the message; a poll's is made from its question.
	Body string
	// Poll, when set, makes each run a poll. Its ClosesIn is the closing
	// time relative to each run.
	Poll *Question
	// Closes, when set, is an absolute closing time for a one-shot poll:
	// PlanRequest stores it as ClosesIn after the run. A recurring poll
	// cannot have one.
	Closes      time.Time
	RequestedBy string
}

// ReadWhen reads the <when> at the start of text as Plan does, in the
// scheduler's zone, and returns the rest of the text.
func (s *Scheduler) ReadWhen(text string) (When, string, error) {
	return ParseWhen(text, s.clock.Now(), s.cfg.Location)
}

// Location is the zone times without one are read in.
func (s *Scheduler) Location() *time.Location { return s.cfg.Location }

// PlanRequest previews a request's broadcast as its first run would be
// now and stores the schedule pending approval. Bad input (an unknown
// list or poll, a closing time before the run, an absolute closing time
// on a recurring poll) gets an EINVALID or ENOTFOUND error and writes
// nothing.
func (s *Scheduler) PlanRequest(ctx context.Context, req Request) (Schedule, broadcast.Preview, error) {
	now := s.clock.Now()
	w := req.When
	first := w.Next(now)
	if first.IsZero() {
		return Schedule{}, broadcast.Preview{}, broadcast.Errorf(broadcast.EINVALID, "%s has passed: give a time in the future", s.Describe(w.At))
	}
	sc := Schedule{Spec: w.Spec, At: w.At, TZ: w.Location.String(), ListName: req.List, Group: req.Group, Body: req.Body,
		Status: Pending, RequestedBy: req.RequestedBy, CreatedAt: now}
	if req.Poll != nil {
		q := *req.Poll
		if !req.Closes.IsZero() {
			in, err := s.closesIn(w, req.Closes)
			if err != nil {
				return Schedule{}, broadcast.Preview{}, err
			}
			q.ClosesIn = in
		}
		sc.Poll = &q
	}
	p, err := s.cfg.Engine.Preview(ctx, sc.draft(first))
	if err != nil {
		return Schedule{}, broadcast.Preview{}, err
	}
	sc.ListID, sc.ListName, sc.Body = p.Broadcast.ListID, p.Broadcast.ListName, p.Broadcast.Body
	if sc, err = s.store.CreateSchedule(ctx, sc); err != nil {
		return Schedule{}, broadcast.Preview{}, err
	}
	return sc, p, nil
}

// closesIn turns a one-shot poll's absolute closing time into its
// closing delay after the run.
func (s *Scheduler) closesIn(w When, closes time.Time) (time.Duration, error) {
	if w.Recurring() {
		return 0, broadcast.Errorf(broadcast.EINVALID, `a recurring poll closes a while after each run: write --closes "in 2h", not a time`)
	}
	if !closes.After(w.At) {
		return 0, broadcast.Errorf(broadcast.EINVALID, `the poll would close %s, before it is sent %s: give a later --closes, or "in 2h" for 2 hours after it is sent`,
			s.Describe(closes), s.Describe(w.At))
	}
	return closes.Sub(w.At), nil
}

// draft is the broadcast the run at runAt prepares: the list, or its
// answer group, as it is then; for a poll, its question closing ClosesIn
// after runAt.
func (sc Schedule) draft(runAt time.Time) broadcast.Draft {
	d := broadcast.Draft{List: sc.ListName, Group: sc.Group, Body: sc.Body, RequestedBy: sc.RequestedBy}
	if sc.Poll != nil {
		d.Question, d.Body = sc.Poll.At(runAt), sc.Poll.Body()
	}
	return d
}
