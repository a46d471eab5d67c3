package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"smsbot/broadcast"
)

// memberRow is a contact on a list with its sticky sender's address.
type memberRow struct {
	contactRow `bun:",extend"`
	Sender     string `bun:"sender,scanonly"`
}

// Members returns a page of the named list's members, limit from offset,
// ordered by name (nameless ones last) and phone, with the list. An
// unknown list is ENOTFOUND.
func (s *Store) Members(ctx context.Context, list string, offset, limit int) (broadcast.List, []broadcast.Member, error) {
	l, err := s.ListByName(ctx, list)
	if err != nil {
		return broadcast.List{}, nil, err
	}
	var rows []memberRow
	err = s.db.NewRaw(`SELECT c.id, c.phone, c.name, c.opted_out_at, c.invalid_reason, c.fields, c.created_at,
			COALESCE(s.address, '') AS sender
		FROM memberships mb JOIN contacts c ON c.id = mb.contact_id
		LEFT JOIN assignments a ON a.contact_id = c.id LEFT JOIN senders s ON s.id = a.sender_id
		WHERE mb.list_id = ? ORDER BY c.name = '', c.name, c.phone LIMIT ? OFFSET ?`, l.ID, limit, offset).Scan(ctx, &rows)
	if err != nil {
		return broadcast.List{}, nil, fmt.Errorf("read members of %q: %w", list, err)
	}
	out := make([]broadcast.Member, len(rows))
	for i, r := range rows {
		out[i] = broadcast.Member{Contact: r.contactRow.domain(), Sender: r.Sender}
	}
	return l, out, nil
}

// RenameList gives the list old the name new. ENOTFOUND if there is no
// list old, ECONFLICT if another list is called new (names ignore case, so
// a list may change only the case of its name). It is audited.
func (s *Store) RenameList(ctx context.Context, old, new, actor string) (broadcast.List, error) {
	var out broadcast.List
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var l listRow
		if err := tx.NewSelect().Model(&l).Where("lower(name) = lower(?)", old).Scan(ctx); errors.Is(err, sql.ErrNoRows) {
			return broadcast.Errorf(broadcast.ENOTFOUND, "there is no list named %q (see /sms lists)", old)
		} else if err != nil {
			return err
		}
		var other listRow
		err := tx.NewSelect().Model(&other).Where("lower(name) = lower(?) AND id <> ?", new, l.ID).Scan(ctx)
		if err == nil {
			return broadcast.Errorf(broadcast.ECONFLICT, "there is already a list named %q; choose another name, or delete that one first", other.Name)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.NewUpdate().Model(&l).Set("name = ?", new).WherePK().Exec(ctx); err != nil {
			return err
		}
		out = broadcast.List{ID: l.ID, Name: new, CreatedAt: l.CreatedAt}
		return audit(ctx, tx, s.nowUTC(), actor, "list.rename", new, "was "+l.Name)
	})
	if err != nil {
		return broadcast.List{}, fmt.Errorf("rename list %q: %w", old, err)
	}
	return out, nil
}

// CheckDeleteList returns nil if the list can be deleted, or an ECONFLICT
// error naming the broadcasts and schedules that refer to it: their
// history needs the list, so such a list is kept.
func (s *Store) CheckDeleteList(ctx context.Context, id int64) error {
	return checkDeleteList(ctx, s.db, id)
}

func checkDeleteList(ctx context.Context, db bun.IDB, id int64) error {
	var refs []string
	err := db.NewRaw(`SELECT '#' || CAST(id AS TEXT) FROM broadcasts WHERE list_id = ?
		UNION ALL SELECT 'schedule #' || CAST(id AS TEXT) FROM schedules WHERE list_id = ? LIMIT 4`, id, id).Scan(ctx, &refs)
	if err != nil {
		return err
	}
	if len(refs) == 0 {
		return nil
	}
	if len(refs) > 3 {
		refs = append(refs[:3], "more")
	}
	return broadcast.Errorf(broadcast.ECONFLICT, "the list was sent or scheduled (%s) and their history needs it, so it cannot be deleted; "+
		"rename it (/sms lists rename) or remove its members instead", strings.Join(refs, ", "))
}

// DeleteList deletes the list with the id and its memberships; the
// contacts stay, with their opt-outs and senders. ENOTFOUND if it is
// gone (a second click), ECONFLICT if broadcasts or schedules refer to
// it. It returns the deleted list with its member count, and is audited.
func (s *Store) DeleteList(ctx context.Context, id int64, actor string) (broadcast.List, error) {
	var out broadcast.List
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var l listRow
		err := tx.NewSelect().Model(&l).
			ColumnExpr("l.id, l.name, l.created_at").
			ColumnExpr("(SELECT COUNT(*) FROM memberships mb WHERE mb.list_id = l.id) AS members").
			ModelTableExpr("lists AS l").Where("l.id = ?", id).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return broadcast.Errorf(broadcast.ENOTFOUND, "that list was already deleted")
		} else if err != nil {
			return err
		}
		if err := checkDeleteList(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE list_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM lists WHERE id = ?`, id); err != nil {
			return err
		}
		out = broadcast.List{ID: l.ID, Name: l.Name, Members: l.Members, CreatedAt: l.CreatedAt}
		return audit(ctx, tx, s.nowUTC(), actor, "list.delete", l.Name, fmt.Sprintf("members=%d", l.Members))
	})
	if err != nil {
		return broadcast.List{}, fmt.Errorf("delete list %d: %w", id, err)
	}
	return out, nil
}
