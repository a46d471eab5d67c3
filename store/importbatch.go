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

// recordImportBatch records, inside an import's transaction, the contacts
// it put on the list and which of them it created, for UndoImport.
func recordImportBatch(ctx context.Context, tx bun.Tx, sq dialectSQL, listID int64, actor string, at time.Time, added []int64, created map[int64]bool) error {
	var id int64
	if err := tx.NewRaw(`INSERT INTO import_batches (list_id, actor, created_at) VALUES (?, ?, ?) RETURNING id`,
		listID, actor, at.UTC()).Scan(ctx, &id); err != nil {
		return fmt.Errorf("record import batch: %w", err)
	}
	if len(added) == 0 {
		return nil
	}
	rows := make([][2]int64, len(added))
	for i, c := range added {
		rows[i] = [2]int64{c, 0}
		if created[c] {
			rows[i][1] = 1
		}
	}
	j, _ := json.Marshal(rows)
	if _, err := tx.ExecContext(ctx, `INSERT INTO import_batch_members (batch_id, contact_id, created)
		SELECT ?, CAST(j.value->>0 AS BIGINT), CAST(j.value->>1 AS INTEGER) = 1 FROM `+sq.jsonRows+` WHERE true`, id, string(j)); err != nil {
		return fmt.Errorf("record import batch members: %w", err)
	}
	return nil
}

type importBatchRow struct {
	ID        int64      `bun:"id"`
	Actor     string     `bun:"actor"`
	CreatedAt time.Time  `bun:"created_at"`
	UndoneAt  *time.Time `bun:"undone_at"`
}

// UndoImport undoes the newest import into the named list if it ran
// within the last window, in one transaction: the memberships it added
// are removed, and the contacts it created that are now on no list are
// deleted, unless they opted out or have texts (those stay, off every
// list, so an opt-out or the history holds). Contacts that existed before
// the import keep what it gave them: it only ever filled an empty name and
// added new merge fields. ENOTFOUND for an unknown list or one never
// imported into; ECONFLICT if the newest import is already undone or
// older than window. It is audited.
func (s *Store) UndoImport(ctx context.Context, list, actor string, window time.Duration) (broadcast.ImportUndo, error) {
	var out broadcast.ImportUndo
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		now := s.nowUTC()
		var l listRow
		if err := tx.NewSelect().Model(&l).Where("lower(name) = lower(?)", list).Scan(ctx); errors.Is(err, sql.ErrNoRows) {
			return broadcast.Errorf(broadcast.ENOTFOUND, "there is no list named %q (see /sms lists)", list)
		} else if err != nil {
			return err
		}
		out.List = l.Name
		var b importBatchRow
		err := tx.NewRaw(`SELECT id, actor, created_at, undone_at FROM import_batches WHERE list_id = ? ORDER BY id DESC LIMIT 1`, l.ID).Scan(ctx, &b)
		if errors.Is(err, sql.ErrNoRows) {
			return broadcast.Errorf(broadcast.ENOTFOUND, "nothing was imported into %s, so there is no import to undo", l.Name)
		} else if err != nil {
			return err
		}
		out.At, out.Actor = b.CreatedAt, b.Actor
		switch {
		case b.UndoneAt != nil:
			return broadcast.Errorf(broadcast.ECONFLICT, "the last import into %s was already undone; only the last one can be", l.Name)
		case now.Sub(b.CreatedAt) > window:
			return broadcast.Errorf(broadcast.ECONFLICT, "the last import into %s is more than %s old, so it cannot be undone; "+
				"take contacts off with /sms remove %s <phone>", l.Name, fmtWindow(window), l.Name)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE list_id = ?
			AND contact_id IN (SELECT contact_id FROM import_batch_members WHERE batch_id = ?)`, l.ID, b.ID)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		out.Removed = int(n)
		res, err = tx.ExecContext(ctx, `DELETE FROM contacts WHERE id IN (
				SELECT contact_id FROM import_batch_members WHERE batch_id = ? AND created)
			AND opted_out_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM memberships mb WHERE mb.contact_id = contacts.id)
			AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.contact_id = contacts.id)
			AND NOT EXISTS (SELECT 1 FROM replies r WHERE r.contact_id = contacts.id)
			AND NOT EXISTS (SELECT 1 FROM inbound_messages i WHERE i.contact_id = contacts.id)
			AND NOT EXISTS (SELECT 1 FROM threads th WHERE th.contact_id = contacts.id)`, b.ID)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		out.Deleted = int(n)
		// What it created and is left was kept for a reason, in this order.
		err = tx.NewRaw(`SELECT
				COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM memberships mb WHERE mb.contact_id = c.id) THEN 1 ELSE 0 END), 0),
				COALESCE(SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM memberships mb WHERE mb.contact_id = c.id)
					AND c.opted_out_at IS NOT NULL THEN 1 ELSE 0 END), 0),
				COALESCE(SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM memberships mb WHERE mb.contact_id = c.id)
					AND c.opted_out_at IS NULL THEN 1 ELSE 0 END), 0)
			FROM contacts c WHERE c.id IN (SELECT contact_id FROM import_batch_members WHERE batch_id = ? AND created)`, b.ID).
			Scan(ctx, &out.KeptOnLists, &out.KeptOptedOut, &out.KeptTexts)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE import_batches SET undone_at = ? WHERE id = ?`, now, b.ID); err != nil {
			return err
		}
		return audit(ctx, tx, now, actor, "list.import_undo", l.Name,
			fmt.Sprintf("batch=%d removed=%d deleted=%d", b.ID, out.Removed, out.Deleted))
	})
	if err != nil {
		return broadcast.ImportUndo{}, fmt.Errorf("undo import into %q: %w", list, err)
	}
	return out, nil
}

// fmtWindow writes a window like 24h as people say it.
func fmtWindow(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return d.String()
}
