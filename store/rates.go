package store

import (
	"context"
	"fmt"
	"time"

	"smsbot/broadcast"
	"smsbot/stats"
)

var _ broadcast.RateRecorder = (*Store)(nil)

// RecordRates notes, at now, the rate of each enabled sender of broadcast
// id that differs from the last one recorded for it:
//   - while the broadcast is sending, for senders with texts still open
//     (queued or sending) in it, so that a rate changed mid-run is kept
//     after the first;
//   - the first time, also for senders whose texts all went out before
//     the run was loaded, and when the run completed as it loaded (a
//     short broadcast).
//
// A paused broadcast records nothing: its rate counts once it resumes.
// Calling it again with nothing changed writes nothing.
func (s *Store) RecordRates(ctx context.Context, id int64, now time.Time) error {
	_, err := s.exec(ctx, `INSERT INTO broadcast_rates (broadcast_id, sender_id, rate, since)
		SELECT b.id, sd.id, sd.rate, ?
		FROM broadcasts b JOIN senders sd ON sd.enabled
		WHERE b.id = ?
			AND ((b.status = ? AND EXISTS (SELECT 1 FROM messages m
					WHERE m.sender_id = sd.id AND m.status IN (?, ?) AND m.broadcast_id = b.id))
				OR (b.status IN (?, ?)
					AND NOT EXISTS (SELECT 1 FROM broadcast_rates r WHERE r.broadcast_id = b.id AND r.sender_id = sd.id)
					AND EXISTS (SELECT 1 FROM messages m WHERE m.sender_id = sd.id AND m.broadcast_id = b.id)))
			AND COALESCE((SELECT r.rate FROM broadcast_rates r
				WHERE r.broadcast_id = b.id AND r.sender_id = sd.id ORDER BY r.id DESC LIMIT 1), 0) <> sd.rate`,
		now.UTC(), id, broadcast.StatusSending, broadcast.MsgQueued, broadcast.MsgSending,
		broadcast.StatusSending, broadcast.StatusCompleted)
	if err != nil {
		return fmt.Errorf("record the rates of broadcast #%d: %w", id, err)
	}
	return nil
}

// Rates returns the rates recorded for broadcast id, by sender and then
// in the order they were recorded.
func (s *Store) Rates(ctx context.Context, id int64) ([]stats.Rate, error) {
	rows, err := s.query(ctx, `SELECT sender_id, rate, since FROM broadcast_rates
		WHERE broadcast_id = ? ORDER BY sender_id, id`, id)
	if err != nil {
		return nil, fmt.Errorf("read the rates of broadcast #%d: %w", id, err)
	}
	defer rows.Close()
	var out []stats.Rate
	for rows.Next() {
		var r stats.Rate
		if err := rows.Scan(&r.SenderID, &r.Rate, &r.Since); err != nil {
			return nil, fmt.Errorf("read the rates of broadcast #%d: %w", id, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
