package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"smsbot/broadcast"
)

// StickySender returns the contact with phone and its sender, giving it
// the least-loaded enabled sender for good if it has none (or its sender
// was removed).
func (s *Store) StickySender(ctx context.Context, phone string) (broadcast.Contact, broadcast.Sender, error) {
	var c contactRow
	var sender senderRow
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := s.lockAssignments(ctx, tx); err != nil {
			return err
		}
		err := tx.NewSelect().Model(&c).Where("phone = ?", phone).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return broadcast.Errorf(broadcast.ENOTFOUND, "%s is not a contact; add it with /sms add <list> %s", phone, phone)
		} else if err != nil {
			return err
		}
		var current sql.NullInt64
		err = tx.QueryRowContext(ctx, `SELECT a.sender_id FROM assignments a JOIN senders s ON s.id = a.sender_id AND s.enabled
			WHERE a.contact_id = ?`, c.ID).Scan(&current)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		id := current.Int64
		if !current.Valid {
			loads, err := senderLoads(ctx, tx)
			if err != nil {
				return err
			}
			if id = broadcast.NewBalancer(loads).Next(); id == 0 {
				return broadcast.Errorf(broadcast.EINVALID, "there is no number to send from: add one with /sms numbers add")
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO assignments (contact_id, sender_id, assigned_at) VALUES (?, ?, ?)
				ON CONFLICT (contact_id) DO UPDATE SET sender_id = excluded.sender_id, assigned_at = excluded.assigned_at`,
				c.ID, id, s.nowUTC()); err != nil {
				return err
			}
		}
		return tx.NewSelect().Model(&sender).Where("id = ?", id).Scan(ctx)
	})
	if err != nil {
		return broadcast.Contact{}, broadcast.Sender{}, fmt.Errorf("sender of %s: %w", phone, err)
	}
	return c.domain(), sender.domain(), nil
}

// RecordReply stores a text sent to one contact from chat, and audits it.
func (s *Store) RecordReply(ctx context.Context, r broadcast.Reply) error {
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var sid any
		if r.ProviderSID != "" {
			sid = r.ProviderSID
		}
		at := r.At.UTC()
		if _, err := tx.ExecContext(ctx, `INSERT INTO replies (contact_id, sender_id, body, status, provider_sid, error_code, error_text, sent_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ContactID, r.SenderID, r.Body, r.Status, sid, r.ErrorCode, r.ErrorText, r.SentBy, at, at); err != nil {
			return err
		}
		return audit(ctx, tx, at, r.SentBy, "contact.reply", fmt.Sprintf("contact:%d", r.ContactID), string(r.Status))
	})
	if err != nil {
		return fmt.Errorf("record reply: %w", err)
	}
	return nil
}
