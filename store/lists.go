package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"smsbot/broadcast"
)

// Lists returns every list with its member count, by name.
func (s *Store) Lists(ctx context.Context) ([]broadcast.List, error) {
	var rows []listRow
	err := s.db.NewSelect().Model(&rows).
		ColumnExpr("l.id, l.name, l.created_at").
		ColumnExpr("(SELECT COUNT(*) FROM memberships mb WHERE mb.list_id = l.id) AS members").
		ModelTableExpr("lists AS l").Order("l.name").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("read lists: %w", err)
	}
	out := make([]broadcast.List, len(rows))
	for i, r := range rows {
		out[i] = broadcast.List{ID: r.ID, Name: r.Name, Members: r.Members, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// ListByName returns the named list (names ignore case), or an ENOTFOUND
// error.
func (s *Store) ListByName(ctx context.Context, name string) (broadcast.List, error) {
	var r listRow
	err := s.db.NewSelect().Model(&r).
		ColumnExpr("l.id, l.name, l.created_at").
		ColumnExpr("(SELECT COUNT(*) FROM memberships mb WHERE mb.list_id = l.id) AS members").
		ModelTableExpr("lists AS l").Where("lower(l.name) = lower(?)", name).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return broadcast.List{}, broadcast.Errorf(broadcast.ENOTFOUND, "there is no list named %q (see /sms lists)", name)
	} else if err != nil {
		return broadcast.List{}, fmt.Errorf("read list %q: %w", name, err)
	}
	return broadcast.List{ID: r.ID, Name: r.Name, Members: r.Members, CreatedAt: r.CreatedAt}, nil
}

// AddMember puts the contact with the E.164 phone on the named list,
// creating the list and the contact as needed. A name given replaces an
// existing contact's (MemberResult.Renamed, audited as contact.rename
// without the names); opt-outs stay.
func (s *Store) AddMember(ctx context.Context, listName, phone, name, actor string) (broadcast.MemberResult, error) {
	var res broadcast.MemberResult
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		now := s.nowUTC()
		list, created, err := ensureList(ctx, tx, listName, now)
		if err != nil {
			return err
		}
		res.List, res.ListCreated = list, created
		c, created, err := ensureContact(ctx, tx, phone, name, now)
		if err != nil {
			return err
		}
		if !created && name != "" && c.Name != name {
			if err := renameContact(ctx, tx, &c, name, actor, now); err != nil {
				return err
			}
			res.Renamed, res.PreviousName = true, c.Name
			c.Name = name
		}
		res.Contact, res.ContactCreated = c.domain(), created
		r, err := tx.NewInsert().Model(&membershipRow{ListID: list.ID, ContactID: c.ID, AddedAt: now}).On("CONFLICT DO NOTHING").Exec(ctx)
		if err != nil {
			return err
		}
		n, _ := r.RowsAffected()
		res.Added = n == 1
		return audit(ctx, tx, now, actor, "list.add", list.Name, phone)
	})
	if err != nil {
		return broadcast.MemberResult{}, fmt.Errorf("add %s to %q: %w", phone, listName, err)
	}
	return res, nil
}

// RemoveMember takes the contact off the named list. The contact itself,
// its opt-out and its sticky sender stay.
func (s *Store) RemoveMember(ctx context.Context, listName, phone, actor string) error {
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var list listRow
		err := tx.NewSelect().Model(&list).Where("lower(name) = lower(?)", listName).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return broadcast.Errorf(broadcast.ENOTFOUND, "there is no list named %q (see /sms lists)", listName)
		} else if err != nil {
			return err
		}
		r, err := tx.NewDelete().Model((*membershipRow)(nil)).
			Where("list_id = ? AND contact_id = (SELECT id FROM contacts WHERE phone = ?)", list.ID, phone).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return broadcast.Errorf(broadcast.ENOTFOUND, "%s is not on list %s", phone, list.Name)
		}
		return audit(ctx, tx, s.nowUTC(), actor, "list.remove", list.Name, phone)
	})
	if err != nil {
		return fmt.Errorf("remove %s from %q: %w", phone, listName, err)
	}
	return nil
}

// ensureList returns the named list (names ignore case), creating it if
// needed. The insert does nothing if another transaction created the list
// meanwhile (PostgreSQL's READ COMMITTED lets two look at once); the list
// is then read again.
func ensureList(ctx context.Context, tx bun.Tx, name string, now time.Time) (broadcast.List, bool, error) {
	for range 2 {
		var l listRow
		err := tx.NewSelect().Model(&l).Where("lower(name) = lower(?)", name).Scan(ctx)
		if err == nil {
			return broadcast.List{ID: l.ID, Name: l.Name, CreatedAt: l.CreatedAt}, false, nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return broadcast.List{}, false, err
		}
		l = listRow{Name: name, CreatedAt: now}
		if ok, err := insertIfNew(ctx, tx.NewInsert().Model(&l)); err != nil {
			return broadcast.List{}, false, err
		} else if ok {
			return broadcast.List{ID: l.ID, Name: l.Name, CreatedAt: l.CreatedAt}, true, nil
		}
	}
	return broadcast.List{}, false, fmt.Errorf("create list %q: created and gone again", name)
}

// insertIfNew runs an insert with ON CONFLICT DO NOTHING and reports
// whether it inserted the row.
func insertIfNew(ctx context.Context, q *bun.InsertQuery) (bool, error) {
	res, err := q.On("CONFLICT DO NOTHING").Exec(ctx)
	if errors.Is(err, sql.ErrNoRows) { // RETURNING id found no row
		return false, nil
	} else if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ensureContact returns the contact with phone, creating it if needed
// (read again if another transaction created it meanwhile, as in
// ensureList). An existing contact without a name gets name.
func ensureContact(ctx context.Context, tx bun.Tx, phone, name string, now time.Time) (contactRow, bool, error) {
	for range 2 {
		var c contactRow
		err := tx.NewSelect().Model(&c).Where("phone = ?", phone).Scan(ctx)
		if err == nil {
			if c.Name == "" && name != "" {
				c.Name = name
				if _, err := tx.NewUpdate().Model(&c).Column("name").WherePK().Exec(ctx); err != nil {
					return c, false, err
				}
			}
			return c, false, nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return c, false, err
		}
		c = contactRow{Phone: phone, Name: name, Fields: "{}", CreatedAt: now}
		if ok, err := insertIfNew(ctx, tx.NewInsert().Model(&c)); err != nil {
			return c, false, err
		} else if ok {
			return c, true, nil
		}
	}
	return contactRow{}, false, fmt.Errorf("create contact %s: created and gone again", phone)
}
