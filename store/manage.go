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

// CheckDeleteList returns what deleting the list with the id would take
// with it (see broadcast.ListDeletion), or an ECONFLICT error naming what
// keeps it: a broadcast that sent texts (its history needs the list), an
// unfinished one (cancel it first), an approved schedule still to fire
// (unschedule it first).
func (s *Store) CheckDeleteList(ctx context.Context, id int64) (broadcast.ListDeletion, error) {
	return checkDeleteList(ctx, s.db, id)
}

// sentSomething is true for a broadcast with a text that was at least
// tried: its outbox has rows other than queued and skipped ones.
const sentSomething = `EXISTS (SELECT 1 FROM messages m WHERE m.broadcast_id = b.id AND m.status NOT IN ('queued', 'skipped'))`

type listRef struct {
	ID     int64  `bun:"id"`
	Status string `bun:"status"`
	Sent   bool   `bun:"sent"`
}

func checkDeleteList(ctx context.Context, db bun.IDB, id int64) (broadcast.ListDeletion, error) {
	var out broadcast.ListDeletion
	var bs, ss []listRef
	if err := db.NewRaw(`SELECT b.id, b.status, `+sentSomething+` AS sent FROM broadcasts b WHERE b.list_id = ? ORDER BY b.id`, id).
		Scan(ctx, &bs); err != nil {
		return out, err
	}
	if err := db.NewRaw(`SELECT id, status, 0 AS sent FROM schedules WHERE list_id = ? ORDER BY id`, id).Scan(ctx, &ss); err != nil {
		return out, err
	}
	var sent, open, live []string
	for _, b := range bs {
		switch {
		case b.Sent:
			sent = append(sent, fmt.Sprintf("#%d", b.ID))
		case b.Status == string(broadcast.StatusSending) || b.Status == string(broadcast.StatusPaused):
			open = append(open, fmt.Sprintf("#%d", b.ID))
		default:
			out.Broadcasts = append(out.Broadcasts, b.ID)
		}
	}
	for _, sc := range ss {
		if sc.Status == "active" || sc.Status == "missed" {
			live = append(live, fmt.Sprintf("#%d", sc.ID))
		} else {
			out.Schedules = append(out.Schedules, sc.ID)
		}
	}
	switch {
	case len(sent) > 0:
		return out, broadcast.Errorf(broadcast.ECONFLICT, "the list was sent to (%s) and that history needs it, so it cannot be deleted; "+
			"rename it (/sms lists rename) or remove its members instead", refs(sent))
	case len(open) > 0:
		return out, broadcast.Errorf(broadcast.ECONFLICT, "broadcast %s to the list is not finished, though nothing was sent yet; "+
			"cancel it (/sms cancel %s), then delete the list", refs(open), strings.TrimPrefix(open[0], "#"))
	case len(live) > 0:
		return out, broadcast.Errorf(broadcast.ECONFLICT, "schedule %s to the list is approved; "+
			"unschedule it (/sms unschedule %s), then delete the list", refs(live), strings.TrimPrefix(live[0], "#"))
	}
	return out, nil
}

// refs names up to three ids, and "more" for the rest.
func refs(ids []string) string {
	if len(ids) > 3 {
		ids = append(ids[:3:3], "more")
	}
	return strings.Join(ids, ", ")
}

// DeleteList deletes the list with the id and its memberships in one
// transaction, with the broadcasts that sent nothing and the schedules
// never approved or over (their outbox rows, rates and runs too); the
// contacts stay, with their opt-outs and senders. ENOTFOUND if it is gone
// (a second click), ECONFLICT if its history keeps it (see
// CheckDeleteList). It returns the deleted list with its member count and
// what went with it, and is audited.
func (s *Store) DeleteList(ctx context.Context, id int64, actor string) (broadcast.ListDeletion, error) {
	var out broadcast.ListDeletion
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
		if out, err = checkDeleteList(ctx, tx, id); err != nil {
			return err
		}
		// Only rows that keep nothing are left to refer to the list: the
		// check found none that sent, is unfinished or is due to fire.
		for _, q := range []string{
			`DELETE FROM schedule_runs WHERE schedule_id IN (SELECT id FROM schedules WHERE list_id = ?)
				OR broadcast_id IN (SELECT id FROM broadcasts WHERE list_id = ?)`,
			`DELETE FROM schedules WHERE list_id = ?`,
			`DELETE FROM broadcast_rates WHERE broadcast_id IN (SELECT id FROM broadcasts WHERE list_id = ?)`,
			`DELETE FROM tally_refs WHERE poll_id IN (SELECT id FROM broadcasts WHERE list_id = ?)`,
			`DELETE FROM poll_answers WHERE poll_id IN (SELECT id FROM broadcasts WHERE list_id = ?)`,
			`DELETE FROM poll_options WHERE poll_id IN (SELECT id FROM broadcasts WHERE list_id = ?)`,
			`DELETE FROM polls WHERE broadcast_id IN (SELECT id FROM broadcasts WHERE list_id = ?)`,
			`UPDATE inbound_messages SET poll_id = NULL WHERE poll_id IN (SELECT id FROM broadcasts WHERE list_id = ?)`,
			`DELETE FROM messages WHERE broadcast_id IN (SELECT id FROM broadcasts WHERE list_id = ?)`,
			`DELETE FROM broadcasts WHERE list_id = ?`,
			`DELETE FROM memberships WHERE list_id = ?`,
			`DELETE FROM lists WHERE id = ?`,
		} {
			args := make([]any, strings.Count(q, "?"))
			for i := range args {
				args[i] = id
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
		}
		out.List = broadcast.List{ID: l.ID, Name: l.Name, Members: l.Members, CreatedAt: l.CreatedAt}
		return audit(ctx, tx, s.nowUTC(), actor, "list.delete", l.Name,
			fmt.Sprintf("members=%d broadcasts=%d schedules=%d", l.Members, len(out.Broadcasts), len(out.Schedules)))
	})
	if err != nil {
		return broadcast.ListDeletion{}, fmt.Errorf("delete list %d: %w", id, err)
	}
	return out, nil
}
