package store

import (
	"context"
	"database/sql"
	"fmt"

	"smsbot/broadcast"
)

// Commit applies the engine's claims and outcomes in one transaction. A
// claim only takes rows that are still queued on the claiming sender, of a
// broadcast that is still sending. An outcome only changes a row that is
// still Sending, so a late or repeated outcome cannot undo a final one.
func (s *Store) Commit(ctx context.Context, c broadcast.Commit) ([][]int64, error) {
	now := c.Now.UTC()
	claimed := make([][]int64, len(c.Claims))
	tx, err := s.db.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("commit outbox: %w", err)
	}
	defer tx.Rollback()
	for i, cl := range c.Claims {
		if len(cl.IDs) == 0 {
			continue
		}
		args := []any{now, now, now, cl.SenderID}
		for _, id := range cl.IDs {
			args = append(args, id)
		}
		rows, err := tx.QueryContext(ctx, `UPDATE messages SET status = 'sending', attempts = attempts + 1,
				first_attempt_at = COALESCE(first_attempt_at, ?), last_attempt_at = ?, updated_at = ?
			WHERE sender_id = ? AND id IN (`+placeholders(len(cl.IDs))+`) AND status = 'queued'
				AND broadcast_id IN (SELECT id FROM broadcasts WHERE status = 'sending')
			RETURNING id`, args...)
		if err != nil {
			return nil, fmt.Errorf("claim texts: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("claim texts: %w", err)
			}
			claimed[i] = append(claimed[i], id)
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("claim texts: %w", err)
		}
	}
	if len(c.Outcomes) > 0 {
		if err := applyOutcomes(ctx, tx, c.Outcomes); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit outbox: %w", err)
	}
	return claimed, nil
}

func applyOutcomes(ctx context.Context, tx *sql.Tx, outcomes []broadcast.Outcome) error {
	update, err := tx.PrepareContext(ctx, `UPDATE messages SET status = ?, provider_sid = ?, error_code = ?, error_text = ?,
			next_attempt_at = COALESCE(?, next_attempt_at), sent_at = ?, updated_at = ?
		WHERE id = ? AND status = 'sending'`)
	if err != nil {
		return fmt.Errorf("record outcomes: %w", err)
	}
	defer update.Close()
	for _, o := range outcomes {
		at := o.At.UTC()
		var sid, next, sentAt any
		if o.ProviderSID != "" {
			sid = o.ProviderSID
		}
		if o.Status == broadcast.MsgQueued {
			next = o.NextAttempt.UTC()
		}
		if o.Status == broadcast.MsgSent {
			sentAt = at
		}
		if _, err := update.ExecContext(ctx, o.Status, sid, o.ErrorCode, o.ErrorText, next, sentAt, at, o.MessageID); err != nil {
			return fmt.Errorf("record outcome of text %d: %w", o.MessageID, err)
		}
		if err := contactEffect(ctx, tx, o.ContactID, o.Effect, o.ErrorCode, o.ErrorText, o.At); err != nil {
			return err
		}
	}
	return nil
}
