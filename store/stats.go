package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"smsbot/broadcast"
	"smsbot/stats"
)

var _ stats.Store = (*Store)(nil)

// SenderActivity sums a broadcast's accepted texts per sender.
func (s *Store) SenderActivity(ctx context.Context, id int64) ([]stats.Activity, error) {
	rows, err := s.query(ctx, `SELECT sender_id, COUNT(*), SUM(segments), MIN(sent_at), MAX(sent_at)
		FROM messages WHERE broadcast_id = ? AND sent_at IS NOT NULL AND status IN ('sent', 'delivered', 'undelivered')
		GROUP BY sender_id ORDER BY sender_id`, id)
	if err != nil {
		return nil, fmt.Errorf("read sender activity: %w", err)
	}
	defer rows.Close()
	var out []stats.Activity
	for rows.Next() {
		var a stats.Activity
		var first, last string
		if err := rows.Scan(&a.SenderID, &a.Texts, &a.Segments, &first, &last); err != nil {
			return nil, fmt.Errorf("read sender activity: %w", err)
		}
		if a.First, err = parseTime(first); err != nil {
			return nil, err
		}
		if a.Last, err = parseTime(last); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Responses counts texts received from a broadcast's recipients between
// from and to, and the STOPs among them.
func (s *Store) Responses(ctx context.Context, id int64, from, to time.Time) (int, int, error) {
	var replies, stops int
	err := s.queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN i.keyword = 'STOP' THEN 1 ELSE 0 END), 0) FROM inbound_messages i
		WHERE i.received_at >= ? AND i.received_at < ?
			AND i.contact_id IN (SELECT contact_id FROM messages WHERE broadcast_id = ?)`,
		from.UTC(), to.UTC(), id).Scan(&replies, &stops)
	if err != nil {
		return 0, 0, fmt.Errorf("count responses: %w", err)
	}
	return replies, stops, nil
}

// Timeline calls fn with every accepted text of a broadcast, by send time.
func (s *Store) Timeline(ctx context.Context, id int64, fn func(stats.Point) error) error {
	rows, err := s.query(ctx, `SELECT sender_id, segments, sent_at, delivered_at FROM messages
		WHERE broadcast_id = ? AND sent_at IS NOT NULL ORDER BY sent_at, id`, id)
	if err != nil {
		return fmt.Errorf("read timeline: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p stats.Point
		var delivered sql.NullTime
		if err := rows.Scan(&p.SenderID, &p.Segments, &p.Sent, &delivered); err != nil {
			return fmt.Errorf("read timeline: %w", err)
		}
		p.Delivered = delivered.Time
		if err := fn(p); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Outcomes calls fn with every recipient's outcome, in contact order.
func (s *Store) Outcomes(ctx context.Context, id int64, fn func(stats.Outcome) error) error {
	rows, err := s.query(ctx, `SELECT m.to_phone, c.name, COALESCE(sd.address, ''), m.status, m.error_code, m.error_text,
			m.sent_at, m.delivered_at
		FROM messages m JOIN contacts c ON c.id = m.contact_id LEFT JOIN senders sd ON sd.id = m.sender_id
		WHERE m.broadcast_id = ? ORDER BY m.contact_id`, id)
	if err != nil {
		return fmt.Errorf("read outcomes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var o stats.Outcome
		var sent, delivered sql.NullTime
		if err := rows.Scan(&o.Phone, &o.Name, &o.Sender, &o.Status, &o.ErrorCode, &o.ErrorText, &sent, &delivered); err != nil {
			return fmt.Errorf("read outcomes: %w", err)
		}
		o.SentAt, o.DeliveredAt = sent.Time, delivered.Time
		if err := fn(o); err != nil {
			return err
		}
	}
	return rows.Err()
}

// MessageTotals counts every outbox row by sender, status and error code.
func (s *Store) MessageTotals(ctx context.Context) ([]stats.MessageTotal, error) {
	rows, err := s.query(ctx, `SELECT COALESCE(sd.address, ''), m.status, m.error_code, COUNT(*)
		FROM messages m LEFT JOIN senders sd ON sd.id = m.sender_id GROUP BY 1, 2, 3`)
	if err != nil {
		return nil, fmt.Errorf("count messages: %w", err)
	}
	defer rows.Close()
	var out []stats.MessageTotal
	for rows.Next() {
		var t stats.MessageTotal
		if err := rows.Scan(&t.Sender, &t.Status, &t.ErrorCode, &t.Count); err != nil {
			return nil, fmt.Errorf("count messages: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// BroadcastTotals counts broadcasts by status.
func (s *Store) BroadcastTotals(ctx context.Context) (map[broadcast.Status]int, error) {
	rows, err := s.query(ctx, `SELECT status, COUNT(*) FROM broadcasts GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("count broadcasts: %w", err)
	}
	defer rows.Close()
	out := map[broadcast.Status]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("count broadcasts: %w", err)
		}
		out[broadcast.Status(st)] = n
	}
	return out, rows.Err()
}

// IncomingTotal counts the texts ever received.
func (s *Store) IncomingTotal(ctx context.Context) (int, error) {
	var n int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM inbound_messages`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count incoming texts: %w", err)
	}
	return n, nil
}
