package broadcast

import (
	"context"
	"strings"
	"time"

	"smsbot/poll"
)

// Poll bounds, as package poll words them.
const (
	MinPollOptions = 2
	MaxPollOptions = 9
	// MaxOptionChars bounds one option's label.
	MaxOptionChars = 60
)

// checkQuestion refuses a poll without a question, with too few or too
// many options, options answers could not tell apart or that read as a
// keyword (poll.CheckOptions), or closing in the past.
func checkQuestion(q *Question, now time.Time) error {
	if q == nil {
		return nil
	}
	if strings.TrimSpace(q.Text) == "" {
		return Errorf(EINVALID, "the poll has no question: write it before the first |")
	}
	if n := len(q.Options); n < MinPollOptions || n > MaxPollOptions {
		return Errorf(EINVALID, "a poll has %d to %d options separated by |; this one has %d", MinPollOptions, MaxPollOptions, n)
	}
	for i, o := range q.Options {
		if strings.TrimSpace(o) == "" {
			return Errorf(EINVALID, "option %d is empty: write a label between each pair of |", i+1)
		}
		if n := len([]rune(o)); n > MaxOptionChars {
			return Errorf(EINVALID, "option %d is %d characters long; the limit is %d", i+1, n, MaxOptionChars)
		}
	}
	if err := poll.CheckOptions(q.Options); err != nil {
		return Errorf(EINVALID, "%s", err)
	}
	if q.ClosesAt != nil && !q.ClosesAt.After(now) {
		return Errorf(EINVALID, "the poll would close before it is sent: give a closing time in the future")
	}
	return nil
}

// checkClosing refuses to approve a poll whose closing time has passed
// since its preview: its answers would count for nothing.
func (e *Engine) checkClosing(ctx context.Context, id int64) error {
	p, err := e.store.Poll(ctx, id)
	if ErrorCode(err) == ENOTFOUND {
		return nil // not a poll
	} else if err != nil {
		return err
	}
	if c := p.Question.ClosesAt; c != nil && !c.After(e.clock.Now()) {
		return Errorf(ECONFLICT, "poll #%d was to close at %s UTC, which has passed: ask it again with a later --closes", id, c.UTC().Format("15:04"))
	}
	return nil
}

// targetList is the list a draft goes to: the named one, or for a group
// the poll's own list, after checking the poll and option exist.
func (e *Engine) targetList(ctx context.Context, d Draft) (List, error) {
	if d.Group.Whole() {
		return e.store.ListByName(ctx, d.List)
	}
	p, err := e.store.Poll(ctx, d.Group.Poll)
	if err != nil {
		return List{}, err
	}
	if n := len(p.Question.Options); d.Group.Option < 0 || d.Group.Option > n {
		return List{}, Errorf(EINVALID, "poll #%d has options 1 to %d: use poll:%d=1 … poll:%d=%d, or poll:%d=none for those who have not answered",
			p.ID, n, p.ID, p.ID, n, p.ID)
	}
	b, err := e.store.Broadcast(ctx, p.ID)
	if err != nil {
		return List{}, err
	}
	return e.store.ListByName(ctx, b.ListName)
}

// nobody is the error for a target with nobody to text.
func nobody(list List, g Group, aud Audience) error {
	if g.Whole() {
		return Errorf(EINVALID, "list %q has nobody to text (%d members, %d opted out, %d invalid)", list.Name, aud.Total, aud.OptedOut, aud.Invalid)
	}
	what := "answered that"
	if g.Option == 0 {
		what = "are still to answer"
	}
	return Errorf(EINVALID, "%s has nobody to text: no one on %s %s (%d opted out, %d invalid)", g, list.Name, what, aud.OptedOut, aud.Invalid)
}
