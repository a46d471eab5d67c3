package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SaveProgressRef records the chat message showing broadcast id's
// progress: ref, a message reference on platform ("slack", "discord")
// that any replica can edit. It replaces the one recorded before, if any.
func (s *Store) SaveProgressRef(ctx context.Context, broadcastID int64, platform, ref string, now time.Time) error {
	if _, err := s.exec(ctx, `INSERT INTO progress_refs (broadcast_id, platform, ref, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (broadcast_id) DO UPDATE SET platform = excluded.platform, ref = excluded.ref,
			updated_at = excluded.updated_at`, broadcastID, platform, ref, now.UTC()); err != nil {
		return fmt.Errorf("save progress message of broadcast #%d: %w", broadcastID, err)
	}
	return nil
}

// ProgressRef returns the message showing broadcast id's progress on
// platform; ok is false when none is recorded there (none at all, one on
// another platform, or one dropped once its final summary was shown).
func (s *Store) ProgressRef(ctx context.Context, broadcastID int64, platform string) (ref string, ok bool, err error) {
	err = s.queryRow(ctx, `SELECT ref FROM progress_refs WHERE broadcast_id = ? AND platform = ?`,
		broadcastID, platform).Scan(&ref)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read progress message of broadcast #%d: %w", broadcastID, err)
	}
	return ref, true, nil
}

// ProgressRefsOn returns the progress messages recorded on platform, by
// broadcast ID: those whose final summary is still to be shown.
func (s *Store) ProgressRefsOn(ctx context.Context, platform string) (map[int64]string, error) {
	rows, err := s.query(ctx, `SELECT broadcast_id, ref FROM progress_refs WHERE platform = ?`, platform)
	if err != nil {
		return nil, fmt.Errorf("read progress messages: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var ref string
		if err := rows.Scan(&id, &ref); err != nil {
			return nil, fmt.Errorf("read progress messages: %w", err)
		}
		out[id] = ref
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read progress messages: %w", err)
	}
	return out, nil
}

// DropProgressRef forgets broadcast id's progress message, once it shows
// the final summary: no replica edits it again.
func (s *Store) DropProgressRef(ctx context.Context, broadcastID int64) error {
	if _, err := s.exec(ctx, `DELETE FROM progress_refs WHERE broadcast_id = ?`, broadcastID); err != nil {
		return fmt.Errorf("drop progress message of broadcast #%d: %w", broadcastID, err)
	}
	return nil
}
