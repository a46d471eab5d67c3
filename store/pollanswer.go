package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"smsbot/inbound"
	"smsbot/poll"
)

// answerPoll reads a fresh incoming text as an answer to the newest poll
// its contact got, in SaveText's transaction, if that poll was open when
// the text was sent (a text sent a second before the closing time and
// polled later still counts): a counted answer is stored (replacing an
// earlier one) and its text marked as needing no relay. Otherwise the text
// records the poll, and whether it had closed (poll_option -1), so that a
// relay, retried later too, says it was not an answer or came too late.
// Nothing changes for a contact who got no poll.
// An answer older than the stored one (texts polled out of order) is kept
// in the text only: the newest answer counts.
func answerPoll(ctx context.Context, tx bun.Tx, contactID int64, t inbound.Text, keyword bool, now time.Time) (inbound.PollMatch, error) {
	var id int64
	// From the polls, newest first, each probing the outbox's unique
	// (broadcast_id, contact_id): a join let SQLite scan every outbox row
	// ever written, for each incoming text.
	err := tx.NewRaw(`SELECT p.broadcast_id FROM polls p
		WHERE EXISTS (SELECT 1 FROM messages m WHERE m.broadcast_id = p.broadcast_id AND m.contact_id = ? AND m.status IN `+pollRecipient+`)
		ORDER BY p.broadcast_id DESC LIMIT 1`, contactID).Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return inbound.PollMatch{}, nil
	} else if err != nil {
		return inbound.PollMatch{}, fmt.Errorf("find the contact's poll: %w", err)
	}
	p, err := readPoll(ctx, tx, id)
	if err != nil {
		return inbound.PollMatch{}, err
	}
	m := inbound.PollMatch{Poll: id}
	if !p.OpenAt(t.At) {
		if keyword {
			return inbound.PollMatch{}, nil
		}
		m.Closed = true
		_, err := tx.ExecContext(ctx, `UPDATE inbound_messages SET poll_id = ?, poll_option = -1 WHERE sid = ?`, id, t.SID)
		return m, err
	}
	option, ok := poll.Match(t.Body, p.Question.Options)
	if !ok {
		if keyword {
			return inbound.PollMatch{}, nil // START or UNSTOP: only an opt-in, not a reply to the poll
		}
		_, err := tx.ExecContext(ctx, `UPDATE inbound_messages SET poll_id = ?, poll_option = 0 WHERE sid = ?`, id, t.SID)
		return m, err
	}
	m.Option, m.Label = option, p.Question.Options[option-1]
	m.Confirm = poll.Confirmation(p.Question.Confirm, m.Label)
	var before []int
	if err := tx.NewRaw(`SELECT option_no FROM poll_answers WHERE poll_id = ? AND contact_id = ?`, id, contactID).Scan(ctx, &before); err != nil {
		return m, fmt.Errorf("read earlier answer: %w", err)
	}
	m.Changed = len(before) > 0 && before[0] != option
	at := t.At.UTC()
	res, err := tx.ExecContext(ctx, `INSERT INTO poll_answers (poll_id, contact_id, option_no, raw, sid, first_at, answered_at, last_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (poll_id, contact_id) DO UPDATE SET option_no = excluded.option_no, raw = excluded.raw, sid = excluded.sid,
			answered_at = CASE WHEN excluded.option_no <> poll_answers.option_no THEN excluded.answered_at ELSE poll_answers.answered_at END,
			changes = poll_answers.changes + CASE WHEN excluded.option_no <> poll_answers.option_no THEN 1 ELSE 0 END,
			last_at = excluded.last_at
		WHERE excluded.last_at >= poll_answers.last_at`,
		id, contactID, option, t.Body, t.SID, at, at, at)
	if err != nil {
		return m, fmt.Errorf("store answer: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return m, fmt.Errorf("store answer: %w", err)
	} else if n == 0 {
		// Older than the stored answer: it changes nothing but the first
		// answer's time, and is not confirmed (the stored answer stands).
		m.Changed, m.Confirm = false, ""
		if _, err := tx.ExecContext(ctx, `UPDATE poll_answers SET first_at = ? WHERE poll_id = ? AND contact_id = ? AND first_at > ?`,
			at, id, contactID, at); err != nil {
			return m, fmt.Errorf("store answer: %w", err)
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE inbound_messages SET poll_id = ?, poll_option = ?, relayed_at = ? WHERE sid = ?`, id, option, now, t.SID)
	return m, err
}
