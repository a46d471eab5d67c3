package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"smsbot/broadcast"
)

// Contact returns the contact with the E.164 phone, or an ENOTFOUND error.
func (s *Store) Contact(ctx context.Context, phone string) (broadcast.Contact, error) {
	var c contactRow
	err := s.db.NewSelect().Model(&c).Where("phone = ?", phone).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return broadcast.Contact{}, broadcast.Errorf(broadcast.ENOTFOUND, "%s is not a known contact", phone)
	} else if err != nil {
		return broadcast.Contact{}, fmt.Errorf("read contact %s: %w", phone, err)
	}
	return c.domain(), nil
}

// OptOut puts phone on the global suppression list: no broadcast from any
// sender texts it again until OptIn. An unknown number becomes a contact,
// so the opt-out holds if it is imported later.
func (s *Store) OptOut(ctx context.Context, phone, actor string) (broadcast.Contact, error) {
	return s.setOptOut(ctx, phone, actor, true)
}

// OptIn takes phone off the suppression list.
func (s *Store) OptIn(ctx context.Context, phone, actor string) (broadcast.Contact, error) {
	return s.setOptOut(ctx, phone, actor, false)
}

func (s *Store) setOptOut(ctx context.Context, phone, actor string, out bool) (broadcast.Contact, error) {
	var c contactRow
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		now := s.nowUTC()
		var err error
		if c, _, err = ensureContact(ctx, tx, phone, "", now); err != nil {
			return err
		}
		action := "contact.opt_in"
		c.OptedOutAt = nil
		if out {
			action = "contact.opt_out"
			c.OptedOutAt = &now
		}
		if _, err := tx.NewUpdate().Model(&c).Column("opted_out_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		return audit(ctx, tx, now, actor, action, phone, "")
	})
	if err != nil {
		return broadcast.Contact{}, fmt.Errorf("opt %s out=%v: %w", phone, out, err)
	}
	return c.domain(), nil
}
