package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"smsbot/broadcast"
)

// QueueBatch writes the outbox rows of up to limit list members with
// contact IDs above after, in one transaction. Members without an enabled
// sticky sender get one from bal, for good. Opted-out and invalid members
// get Skipped rows so they are counted, never texted. Rows that already
// exist are left alone, so a batch interrupted by a crash can be written
// again.
func (s *Store) QueueBatch(ctx context.Context, b broadcast.Broadcast, after int64, limit int, bal *broadcast.Balancer, now time.Time) (int64, error) {
	now = now.UTC()
	var last int64
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		list, err := tx.QueryContext(ctx, `SELECT c.id, c.phone, c.opted_out_at IS NOT NULL, c.invalid_reason, a.sender_id
			FROM memberships mb
			JOIN contacts c ON c.id = mb.contact_id
			LEFT JOIN assignments a ON a.contact_id = c.id
			WHERE mb.list_id = ? AND mb.contact_id > ?
			ORDER BY mb.contact_id LIMIT ?`, b.ListID, after, limit)
		if err != nil {
			return err
		}
		type member struct {
			id       int64
			phone    string
			optedOut bool
			invalid  string
			sender   sql.NullInt64
		}
		var members []member
		for list.Next() {
			var m member
			if err := list.Scan(&m.id, &m.phone, &m.optedOut, &m.invalid, &m.sender); err != nil {
				list.Close()
				return err
			}
			members = append(members, m)
		}
		if err := list.Close(); err != nil {
			return err
		}
		if len(members) == 0 {
			return nil
		}
		var assigned, outbox []any
		for _, m := range members {
			var sender any
			status, reason := broadcast.MsgQueued, ""
			switch {
			case m.optedOut:
				status, reason = broadcast.MsgSkipped, "opted out"
			case m.invalid != "":
				status, reason = broadcast.MsgSkipped, "invalid number: "+m.invalid
			case bal.Empty():
				return broadcast.Errorf(broadcast.ECONFLICT, "there is no number to send from: add one with /sms numbers add")
			default:
				id, moved := bal.Place(m.sender.Int64)
				if moved {
					assigned = append(assigned, [2]int64{m.id, id})
				}
				sender = id
			}
			outbox = append(outbox, []any{m.id, m.phone, sender, status, reason})
		}
		if len(assigned) > 0 {
			pairs, _ := json.Marshal(assigned)
			if _, err := tx.Tx.StmtContext(ctx, s.stmts.assign).ExecContext(ctx, now, string(pairs)); err != nil {
				return err
			}
		}
		rows, _ := json.Marshal(outbox)
		if _, err := tx.Tx.StmtContext(ctx, s.stmts.insertMsg).ExecContext(ctx, b.ID, b.Segments, now, now, string(rows)); err != nil {
			return err
		}
		last = members[len(members)-1].id
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("queue broadcast #%d: %w", b.ID, err)
	}
	return last, nil
}
