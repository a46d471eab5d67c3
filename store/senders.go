package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"smsbot/broadcast"
)

// Senders returns every sender, enabled or not, oldest first.
func (s *Store) Senders(ctx context.Context) ([]broadcast.Sender, error) {
	var rows []senderRow
	if err := s.db.NewSelect().Model(&rows).Order("id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list senders: %w", err)
	}
	out := make([]broadcast.Sender, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// AddSender adds a sender, re-enables a removed one, or changes the rate
// of an enabled one. It never touches assignments: adding a number never
// moves a contact.
func (s *Store) AddSender(ctx context.Context, address string, rate float64, actor string) (broadcast.Sender, bool, error) {
	var out senderRow
	created := false
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		now := s.nowUTC()
		err := tx.NewSelect().Model(&out).Where("address = ?", address).Scan(ctx)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			out = senderRow{Address: address, Rate: rate, Enabled: true, CreatedAt: now}
			if _, err := tx.NewInsert().Model(&out).Exec(ctx); err != nil {
				return err
			}
			created = true
		case err != nil:
			return err
		default:
			out.Rate, out.Enabled, out.RemovedAt = rate, true, bun.NullTime{}
			if _, err := tx.NewUpdate().Model(&out).Column("rate", "enabled", "removed_at").WherePK().Exec(ctx); err != nil {
				return err
			}
		}
		return audit(ctx, tx, now, actor, "sender.add", address, fmt.Sprintf("rate=%g", rate))
	})
	if err != nil {
		return broadcast.Sender{}, false, fmt.Errorf("add sender %s: %w", address, err)
	}
	return out.domain(), created, nil
}

// RemoveSender disables a sender and moves each of its contacts, with its
// queued texts, to the least-loaded remaining sender, in one transaction.
// Removing the last sender while texts are queued on it is refused.
func (s *Store) RemoveSender(ctx context.Context, address, actor string) (int, error) {
	moved := 0
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		now := s.nowUTC()
		var sender senderRow
		err := tx.NewSelect().Model(&sender).Where("address = ? AND enabled", address).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return broadcast.Errorf(broadcast.ENOTFOUND, "%s is not one of the sending numbers (see /sms numbers)", address)
		} else if err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model(&sender).Set("enabled = FALSE").Set("removed_at = ?", now).WherePK().Exec(ctx); err != nil {
			return err
		}
		loads, err := senderLoads(ctx, tx)
		if err != nil {
			return err
		}
		if len(loads) == 0 {
			queued, err := tx.NewSelect().Model((*messageRow)(nil)).Where("sender_id = ? AND status = ?", sender.ID, broadcast.MsgQueued).Count(ctx)
			if err != nil {
				return err
			}
			if queued > 0 {
				return broadcast.Errorf(broadcast.ECONFLICT, "%s is the last sending number and %d texts are waiting on it: add another number first, or cancel the broadcast", address, queued)
			}
		}
		var orphans []int64
		if err := tx.NewSelect().Model((*assignmentRow)(nil)).Column("contact_id").Where("sender_id = ?", sender.ID).Order("contact_id").Scan(ctx, &orphans); err != nil {
			return err
		}
		if len(loads) > 0 {
			bal := broadcast.NewBalancer(loads)
			for _, c := range orphans {
				to := bal.Next()
				if _, err := tx.NewUpdate().Model((*assignmentRow)(nil)).Set("sender_id = ?", to).Set("assigned_at = ?", now).Where("contact_id = ?", c).Exec(ctx); err != nil {
					return err
				}
				if _, err := tx.NewUpdate().Model((*messageRow)(nil)).Set("sender_id = ?", to).Where("contact_id = ? AND sender_id = ? AND status = ?", c, sender.ID, broadcast.MsgQueued).Exec(ctx); err != nil {
					return err
				}
			}
			moved = len(orphans)
		}
		return audit(ctx, tx, now, actor, "sender.remove", address, fmt.Sprintf("moved=%d", moved))
	})
	if err != nil {
		return 0, fmt.Errorf("remove sender %s: %w", address, err)
	}
	return moved, nil
}

// SenderLoads counts the contacts assigned to each enabled sender,
// including senders with none.
func (s *Store) SenderLoads(ctx context.Context) (map[int64]int, error) {
	return senderLoads(ctx, s.db)
}

// senderLoads counts the contacts assigned to each enabled sender,
// including senders with none.
func senderLoads(ctx context.Context, db bun.IDB) (map[int64]int, error) {
	var rows []struct {
		ID    int64 `bun:"id"`
		Count int   `bun:"n"`
	}
	err := db.NewRaw(`SELECT s.id, COUNT(a.contact_id) AS n FROM senders s
		LEFT JOIN assignments a ON a.sender_id = s.id
		WHERE s.enabled GROUP BY s.id`).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("count contacts per sender: %w", err)
	}
	loads := make(map[int64]int, len(rows))
	for _, r := range rows {
		loads[r.ID] = r.Count
	}
	return loads, nil
}
