package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"smsbot/broadcast"
)

// messageColumns are what the engine needs of a row (times cost to parse:
// next_attempt_at is left to SQL).
const messageColumns = `m.id, m.broadcast_id, m.contact_id, m.to_phone, m.sender_id, m.status, m.attempts,
	m.segments, COALESCE(m.body, ''), m.first_attempt_at`

func scanMessages(rows *sql.Rows) ([]broadcast.Message, error) {
	defer rows.Close()
	var out []broadcast.Message
	for rows.Next() {
		var m broadcast.Message
		var sender sql.NullInt64
		var first sql.NullTime
		if err := rows.Scan(&m.ID, &m.BroadcastID, &m.ContactID, &m.To, &sender, &m.Status, &m.Attempts,
			&m.Segments, &m.Body, &first); err != nil {
			return nil, err
		}
		m.SenderID = sender.Int64
		if first.Valid {
			t := first.Time
			m.FirstAttemptAt = &t
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// NextQueued returns up to limit queued texts of sender due at now, of
// sending broadcasts, oldest broadcast first.
func (s *Store) NextQueued(ctx context.Context, senderID int64, now time.Time, limit int) ([]broadcast.Message, error) {
	rows, err := s.stmts.next.QueryContext(ctx, senderID, now.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("read queue of sender %d: %w", senderID, err)
	}
	out, err := scanMessages(rows)
	if err != nil {
		return nil, fmt.Errorf("read queue of sender %d: %w", senderID, err)
	}
	return out, nil
}

// NextDue returns when sender's earliest queued text of a sending
// broadcast becomes due.
func (s *Store) NextDue(ctx context.Context, senderID int64) (time.Time, bool, error) {
	var due sql.NullString
	err := s.queryRow(ctx, `SELECT MIN(m.next_attempt_at)
		FROM messages m JOIN broadcasts b ON b.id = m.broadcast_id
		WHERE m.sender_id = ? AND m.status = 'queued' AND b.status = 'sending'`, senderID).Scan(&due)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("read queue of sender %d: %w", senderID, err)
	}
	if !due.Valid {
		return time.Time{}, false, nil
	}
	t, err := parseTime(due.String)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("read queue of sender %d: %w", senderID, err)
	}
	return t, true, nil
}

// parseTime reads a time stored as text by Bun or the driver (MIN() loses
// the column type, so the driver cannot parse it itself).
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable time %q", s)
}

// Sending returns every row left in Sending.
func (s *Store) Sending(ctx context.Context) ([]broadcast.Message, error) {
	rows, err := s.query(ctx, `SELECT `+messageColumns+` FROM messages m WHERE m.status = 'sending' ORDER BY m.id`)
	if err != nil {
		return nil, fmt.Errorf("read texts in flight: %w", err)
	}
	out, err := scanMessages(rows)
	if err != nil {
		return nil, fmt.Errorf("read texts in flight: %w", err)
	}
	return out, nil
}

// SendingOf returns a sender's rows left in Sending, oldest first.
func (s *Store) SendingOf(ctx context.Context, senderID int64) ([]broadcast.Message, error) {
	rows, err := s.query(ctx, `SELECT `+messageColumns+` FROM messages m WHERE m.status = 'sending' AND m.sender_id = ? ORDER BY m.id`, senderID)
	if err != nil {
		return nil, fmt.Errorf("read texts in flight: %w", err)
	}
	out, err := scanMessages(rows)
	if err != nil {
		return nil, fmt.Errorf("read texts in flight: %w", err)
	}
	return out, nil
}

// KnownSID reports whether an outbox row or a recorded reply holds sid.
func (s *Store) KnownSID(ctx context.Context, sid string) (bool, error) {
	var n int
	if err := s.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM messages WHERE provider_sid = ?1)
		+ (SELECT COUNT(*) FROM replies WHERE provider_sid = ?1)`, sid).Scan(&n); err != nil {
		return false, fmt.Errorf("look up sid: %w", err)
	}
	return n > 0, nil
}

// Counts counts a broadcast's outbox rows by status.
func (s *Store) Counts(ctx context.Context, id int64) (broadcast.Counts, error) {
	var c broadcast.Counts
	rows, err := s.query(ctx, `SELECT status, COUNT(*) FROM messages WHERE broadcast_id = ? GROUP BY status`, id)
	if err != nil {
		return c, fmt.Errorf("count broadcast #%d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return c, fmt.Errorf("count broadcast #%d: %w", id, err)
		}
		c.Total += n
		switch broadcast.MessageStatus(status) {
		case broadcast.MsgQueued:
			c.Queued = n
		case broadcast.MsgSending:
			c.Sending = n
		case broadcast.MsgSent:
			c.Sent = n
		case broadcast.MsgDelivered:
			c.Delivered = n
		case broadcast.MsgUndelivered:
			c.Undelivered = n
		case broadcast.MsgFailed:
			c.Failed = n
		case broadcast.MsgSkipped:
			c.Skipped = n
		}
	}
	return c, rows.Err()
}

// RemainingBySender sums the segments of a broadcast's open rows per sender.
func (s *Store) RemainingBySender(ctx context.Context, id int64) (map[int64]int, error) {
	rows, err := s.query(ctx, `SELECT sender_id, SUM(segments) FROM messages
		WHERE broadcast_id = ? AND status IN ('queued', 'sending') GROUP BY sender_id`, id)
	if err != nil {
		return nil, fmt.Errorf("count broadcast #%d: %w", id, err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var sender sql.NullInt64
		var segs int
		if err := rows.Scan(&sender, &segs); err != nil {
			return nil, fmt.Errorf("count broadcast #%d: %w", id, err)
		}
		out[sender.Int64] = segs
	}
	return out, rows.Err()
}

// Reasons groups a broadcast's failed and skipped rows by reason, most
// frequent first.
func (s *Store) Reasons(ctx context.Context, id int64) ([]broadcast.Reason, error) {
	rows, err := s.query(ctx, `SELECT status, error_code, error_text, COUNT(*) FROM messages
		WHERE broadcast_id = ? AND status IN ('failed', 'skipped', 'undelivered')
		GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3`, id)
	if err != nil {
		return nil, fmt.Errorf("read failures of broadcast #%d: %w", id, err)
	}
	defer rows.Close()
	var out []broadcast.Reason
	for rows.Next() {
		var r broadcast.Reason
		if err := rows.Scan(&r.Status, &r.Code, &r.Text, &r.Count); err != nil {
			return nil, fmt.Errorf("read failures of broadcast #%d: %w", id, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
