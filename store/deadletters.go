package store

import (
	"context"
	"fmt"
	"time"

	"smsbot/inbound"
)

// Relayed reports whether the text with sid was shown to staff. A SID
// that is not stored counts as relayed: there is nothing to show.
func (s *Store) Relayed(ctx context.Context, sid string) (bool, error) {
	var n int
	if err := s.db.NewRaw(`SELECT COUNT(*) FROM inbound_messages WHERE sid = ? AND relayed_at IS NULL`, sid).Scan(ctx, &n); err != nil {
		return false, fmt.Errorf("read relay of %s: %w", sid, err)
	}
	return n == 0, nil
}

// UnrelayedBefore reports whether the contact has a text, stored before
// the one with sid, that staff have not been shown.
func (s *Store) UnrelayedBefore(ctx context.Context, contactID int64, sid string) (bool, error) {
	var n int
	err := s.db.NewRaw(`SELECT COUNT(*) FROM inbound_messages WHERE contact_id = ? AND relayed_at IS NULL
		AND id < (SELECT id FROM inbound_messages WHERE sid = ?)`, contactID, sid).Scan(ctx, &n)
	if err != nil {
		return false, fmt.Errorf("read earlier texts of contact %d: %w", contactID, err)
	}
	return n > 0, nil
}

// deadLetterRow is a row of dead_letters.
type deadLetterRow struct {
	ID         int64     `bun:"id"`
	SID        string    `bun:"sid"`
	From       string    `bun:"from_phone"`
	Raw        string    `bun:"raw"`
	Error      string    `bun:"error"`
	ReceivedAt time.Time `bun:"received_at"`
}

func (r deadLetterRow) domain() inbound.DeadLetter {
	return inbound.DeadLetter{ID: r.ID, SID: r.SID, From: r.From, Raw: r.Raw, Error: r.Error, At: r.ReceivedAt}
}

// SaveDeadLetter records an incoming text the store refused, once per
// SID. fresh is false when that SID was set aside before.
func (s *Store) SaveDeadLetter(ctx context.Context, d inbound.DeadLetter) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO dead_letters (sid, from_phone, raw, error, received_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sid) DO NOTHING`,
		d.SID, d.From, d.Raw, d.Error, d.At.UTC(), s.nowUTC())
	if err != nil {
		return false, fmt.Errorf("save dead letter %s: %w", d.SID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("save dead letter %s: %w", d.SID, err)
	}
	return n == 1, nil
}

// UnnotifiedDeadLetters returns the dead letters staff were not told of
// yet, oldest first.
func (s *Store) UnnotifiedDeadLetters(ctx context.Context, limit int) ([]inbound.DeadLetter, error) {
	return s.deadLetters(ctx, `WHERE notified_at IS NULL ORDER BY id LIMIT ?`, limit)
}

// DeadLetters returns the newest dead letters, newest first.
func (s *Store) DeadLetters(ctx context.Context, limit int) ([]inbound.DeadLetter, error) {
	return s.deadLetters(ctx, `ORDER BY id DESC LIMIT ?`, limit)
}

func (s *Store) deadLetters(ctx context.Context, where string, limit int) ([]inbound.DeadLetter, error) {
	var rows []deadLetterRow
	err := s.db.NewRaw(`SELECT id, sid, from_phone, raw, error, received_at FROM dead_letters `+where, limit).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("read dead letters: %w", err)
	}
	out := make([]inbound.DeadLetter, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// MarkDeadLetterNotified records that staff were told of dead letter id.
func (s *Store) MarkDeadLetterNotified(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE dead_letters SET notified_at = ? WHERE id = ?`, at.UTC(), id); err != nil {
		return fmt.Errorf("mark dead letter %d notified: %w", id, err)
	}
	return nil
}
