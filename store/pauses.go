package store

import (
	"context"
	"fmt"

	"smsbot/stats"
)

// Paused returns the intervals broadcast id spent paused, in order, read
// from the audit log's transitions: each pause runs until the next
// resume, cancel or completion. A pause still in force has a zero To.
func (s *Store) Paused(ctx context.Context, id int64) ([]stats.Interval, error) {
	rows, err := s.query(ctx, `SELECT action, at FROM audit_log
		WHERE subject = ? AND action IN ('broadcast.pause', 'broadcast.resume', 'broadcast.cancel', 'broadcast.complete')
		ORDER BY at, id`, fmt.Sprintf("#%d", id))
	if err != nil {
		return nil, fmt.Errorf("read the pauses of broadcast #%d: %w", id, err)
	}
	defer rows.Close()
	var out []stats.Interval
	open := false
	for rows.Next() {
		var iv stats.Interval
		var action string
		if err := rows.Scan(&action, &iv.From); err != nil {
			return nil, fmt.Errorf("read the pauses of broadcast #%d: %w", id, err)
		}
		switch {
		case action == "broadcast.pause" && !open:
			out, open = append(out, stats.Interval{From: iv.From}), true
		case action != "broadcast.pause" && open:
			out[len(out)-1].To, open = iv.From, false
		}
	}
	return out, rows.Err()
}
