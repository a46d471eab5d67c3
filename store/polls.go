package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"smsbot/broadcast"
)

// pollRecipient is the outbox statuses of a poll's row whose contact got
// the poll, or may have (a row being reconciled, or reported undelivered
// by a carrier that may be wrong): their answers count, and those who
// have not answered are the poll's non-responders, in the tally and in
// poll:<id>=none alike.
const pollRecipient = `('sending', 'sent', 'delivered', 'undelivered')`

// groupFilter is the condition, on the contact ID column col, that
// narrows a list to g ("" for the whole list), with its arguments.
func groupFilter(g broadcast.Group, col string) (string, []any) {
	switch {
	case g.Whole():
		return "", nil
	case g.Option > 0:
		return ` AND ` + col + ` IN (SELECT contact_id FROM poll_answers WHERE poll_id = ? AND option_no = ?)`,
			[]any{g.Poll, g.Option}
	default:
		return ` AND ` + col + ` IN (SELECT contact_id FROM messages WHERE broadcast_id = ? AND status IN ` + pollRecipient + `)
			AND ` + col + ` NOT IN (SELECT contact_id FROM poll_answers WHERE poll_id = ?)`, []any{g.Poll, g.Poll}
	}
}

// groupPoll is g's poll as the group_poll column holds it: NULL for the
// whole list.
func groupPoll(g broadcast.Group) *int64 {
	if g.Whole() {
		return nil
	}
	return &g.Poll
}

// groupOf reads the group_poll and group_option columns.
func groupOf(poll *int64, option int) broadcast.Group {
	if poll == nil {
		return broadcast.Group{}
	}
	return broadcast.Group{Poll: *poll, Option: option}
}

// insertPoll stores broadcast id's poll and options, when q is set.
func insertPoll(ctx context.Context, tx bun.Tx, id int64, q *broadcast.Question) error {
	if q == nil {
		return nil
	}
	var closes any
	if q.ClosesAt != nil {
		closes = q.ClosesAt.UTC()
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO polls (broadcast_id, question, confirm, closes_at) VALUES (?, ?, ?, ?)`,
		id, q.Text, q.Confirm, closes); err != nil {
		return fmt.Errorf("store poll: %w", err)
	}
	for i, o := range q.Options {
		if _, err := tx.ExecContext(ctx, `INSERT INTO poll_options (poll_id, option_no, label) VALUES (?, ?, ?)`, id, i+1, o); err != nil {
			return fmt.Errorf("store poll option: %w", err)
		}
	}
	return nil
}

// Poll returns the poll broadcast id asks, or an ENOTFOUND error.
func (s *Store) Poll(ctx context.Context, id int64) (broadcast.Poll, error) {
	return readPoll(ctx, s.db, id)
}

// readPoll reads poll id and its options in db (a transaction or not).
func readPoll(ctx context.Context, db bun.IDB, id int64) (broadcast.Poll, error) {
	var row struct {
		Question string     `bun:"question"`
		Confirm  string     `bun:"confirm"`
		ClosesAt *time.Time `bun:"closes_at"`
		ClosedAt *time.Time `bun:"closed_at"`
		ClosedBy string     `bun:"closed_by"`
	}
	err := db.NewRaw(`SELECT question, confirm, closes_at, closed_at, closed_by FROM polls WHERE broadcast_id = ?`, id).Scan(ctx, &row)
	if errors.Is(err, sql.ErrNoRows) {
		return broadcast.Poll{}, broadcast.Errorf(broadcast.ENOTFOUND, "there is no poll #%d (see /sms polls)", id)
	} else if err != nil {
		return broadcast.Poll{}, fmt.Errorf("read poll #%d: %w", id, err)
	}
	var labels []string
	if err := db.NewRaw(`SELECT label FROM poll_options WHERE poll_id = ? ORDER BY option_no`, id).Scan(ctx, &labels); err != nil {
		return broadcast.Poll{}, fmt.Errorf("read poll #%d: %w", id, err)
	}
	return broadcast.Poll{
		ID:       id,
		Question: broadcast.Question{Text: row.Question, Options: labels, ClosesAt: utc(row.ClosesAt), Confirm: row.Confirm},
		ClosedAt: utc(row.ClosedAt), ClosedBy: row.ClosedBy,
	}, nil
}

// utc is t in UTC, nil for nil.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Polls returns the polls not closed, or with closedSince set also those
// closed at or after it, oldest first: those approved, and not cancelled
// before anyone got them (a preview no one approved is no poll yet).
func (s *Store) Polls(ctx context.Context, closedSince *time.Time) ([]broadcast.Poll, error) {
	var ids []int64
	when, args := `p.closed_at IS NULL`, []any{}
	if closedSince != nil {
		when, args = `(p.closed_at IS NULL OR p.closed_at >= ?)`, append(args, closedSince.UTC())
	}
	q := `SELECT p.broadcast_id FROM polls p JOIN broadcasts b ON b.id = p.broadcast_id
		WHERE ` + when + ` AND b.status <> 'pending'
			AND (b.status <> 'cancelled' OR EXISTS (SELECT 1 FROM messages m WHERE m.broadcast_id = p.broadcast_id AND m.status IN ` + pollRecipient + `))
		ORDER BY p.broadcast_id`
	if err := s.db.NewRaw(q, args...).Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("read polls: %w", err)
	}
	out := make([]broadcast.Poll, 0, len(ids))
	for _, id := range ids {
		p, err := s.Poll(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// ClosePoll closes poll id at now, recording actor. A poll closed already
// is an ECONFLICT error saying when.
func (s *Store) ClosePoll(ctx context.Context, id int64, actor string, now time.Time) (broadcast.Poll, error) {
	var p broadcast.Poll
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if p, err = readPoll(ctx, tx, id); err != nil {
			return err
		}
		if p.ClosedAt != nil {
			return broadcast.Errorf(broadcast.ECONFLICT, "poll #%d is closed already", id)
		}
		at := now.UTC()
		if _, err := tx.ExecContext(ctx, `UPDATE polls SET closed_at = ?, closed_by = ? WHERE broadcast_id = ? AND closed_at IS NULL`, at, actor, id); err != nil {
			return err
		}
		p.ClosedAt, p.ClosedBy = &at, actor
		return audit(ctx, tx, at, actor, "poll.close", fmt.Sprintf("#%d", id), "")
	})
	if err != nil && broadcast.ErrorCode(err) == broadcast.EINTERNAL {
		return broadcast.Poll{}, fmt.Errorf("close poll #%d: %w", id, err)
	}
	return p, err
}

// SaveTallyRef records ref, on platform, as the chat message showing poll
// id's tally.
func (s *Store) SaveTallyRef(ctx context.Context, id int64, platform, ref string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO tally_refs (poll_id, platform, ref, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (poll_id) DO UPDATE SET platform = excluded.platform, ref = excluded.ref, updated_at = excluded.updated_at`,
		id, platform, ref, now.UTC())
	if err != nil {
		return fmt.Errorf("record tally message of poll #%d: %w", id, err)
	}
	return nil
}

// TallyRef returns the message recorded as poll id's tally on platform.
func (s *Store) TallyRef(ctx context.Context, id int64, platform string) (string, bool, error) {
	var refs []string
	if err := s.db.NewRaw(`SELECT ref FROM tally_refs WHERE poll_id = ? AND platform = ?`, id, platform).Scan(ctx, &refs); err != nil {
		return "", false, fmt.Errorf("read tally message of poll #%d: %w", id, err)
	}
	if len(refs) == 0 {
		return "", false, nil
	}
	return refs[0], true, nil
}
