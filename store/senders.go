package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

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
// of an enabled one. Adding a number never moves a contact from another
// enabled number; only contacts left on removed numbers (after the last
// one was removed) move to it, with their queued texts.
func (s *Store) AddSender(ctx context.Context, address string, rate float64, actor string) (broadcast.Sender, bool, error) {
	var out senderRow
	created := false
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := s.lockAssignments(ctx, tx); err != nil {
			return err
		}
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
		// Contacts of a last number removed earlier had nowhere to go.
		if _, err := s.rehome(ctx, tx, now); err != nil {
			return err
		}
		return audit(ctx, tx, now, actor, "sender.add", address, fmt.Sprintf("rate=%g", rate))
	})
	if err != nil {
		return broadcast.Sender{}, false, fmt.Errorf("add sender %s: %w", address, err)
	}
	return out.domain(), created, nil
}

// RemoveSender disables a sender and moves each of its contacts, with
// their unsent texts, to the least-loaded remaining sender, in one
// transaction. When it was the last sender, its contacts and texts stay
// where they are until a sender is added (see AddSender).
func (s *Store) RemoveSender(ctx context.Context, address, actor string) (int, error) {
	moved := 0
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := s.lockAssignments(ctx, tx); err != nil {
			return err
		}
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
		if moved, err = s.rehome(ctx, tx, now); err != nil {
			return err
		}
		return audit(ctx, tx, now, actor, "sender.remove", address, fmt.Sprintf("moved=%d", moved))
	})
	if err != nil {
		return 0, fmt.Errorf("remove sender %s: %w", address, err)
	}
	return moved, nil
}

// rehome gives every contact assigned to a disabled sender the
// least-loaded enabled one, and moves the queued texts of disabled senders
// with their contacts. With no enabled sender it does nothing. It returns
// how many contacts moved.
func (s *Store) rehome(ctx context.Context, tx bun.Tx, now time.Time) (int, error) {
	loads, err := senderLoads(ctx, tx)
	if err != nil || len(loads) == 0 {
		return 0, err
	}
	var orphans []int64
	if err := tx.NewRaw(`SELECT a.contact_id FROM assignments a JOIN senders s ON s.id = a.sender_id
		WHERE NOT s.enabled ORDER BY a.contact_id`).Scan(ctx, &orphans); err != nil {
		return 0, err
	}
	if len(orphans) > 0 {
		bal := broadcast.NewBalancer(loads)
		pairs := make([][2]int64, len(orphans))
		for i, c := range orphans {
			pairs[i] = [2]int64{c, bal.Next()}
		}
		js, _ := json.Marshal(pairs)
		if _, err := tx.Tx.StmtContext(ctx, s.stmts.assign).ExecContext(ctx, now, string(js)); err != nil {
			return 0, err
		}
	}
	// Rows in Sending are left to their call's outcome: a requeued row
	// follows its contact's assignment (see outcomeSQL).
	if _, err := tx.ExecContext(ctx, `UPDATE messages SET sender_id = (SELECT a.sender_id FROM assignments a WHERE a.contact_id = messages.contact_id)
		WHERE status = 'queued' AND sender_id IN (SELECT id FROM senders WHERE NOT enabled)
			AND contact_id IN (SELECT a.contact_id FROM assignments a JOIN senders s ON s.id = a.sender_id WHERE s.enabled)`); err != nil {
		return 0, err
	}
	return len(orphans), nil
}

// SenderLoads counts the contacts assigned to each enabled sender,
// including senders with none, with its rate.
func (s *Store) SenderLoads(ctx context.Context) (map[int64]broadcast.Load, error) {
	return senderLoads(ctx, s.db)
}

// senderLoads counts the contacts assigned to each enabled sender,
// including senders with none, with its rate.
func senderLoads(ctx context.Context, db bun.IDB) (map[int64]broadcast.Load, error) {
	var rows []struct {
		ID    int64   `bun:"id"`
		Rate  float64 `bun:"rate"`
		Count int     `bun:"n"`
	}
	err := db.NewRaw(`SELECT s.id, s.rate, COUNT(a.contact_id) AS n FROM senders s
		LEFT JOIN assignments a ON a.sender_id = s.id
		WHERE s.enabled GROUP BY s.id, s.rate`).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("count contacts per sender: %w", err)
	}
	loads := make(map[int64]broadcast.Load, len(rows))
	for _, r := range rows {
		loads[r.ID] = broadcast.Load{Contacts: r.Count, Rate: r.Rate}
	}
	return loads, nil
}
