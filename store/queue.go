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
func (s *Store) QueueBatch(ctx context.Context, b broadcast.Broadcast, after int64, limit int, bal *broadcast.Balancer, tmpl *broadcast.Template, now time.Time) (int64, error) {
	now = now.UTC()
	var last int64
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := s.lockAssignments(ctx, tx); err != nil {
			return err
		}
		// A broadcast cancelled while its outbox is written gets the rest
		// of its rows skipped, so that they still add up.
		var status string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM broadcasts WHERE id = ?`, b.ID).Scan(&status); err != nil {
			return err
		}
		cancelled := broadcast.Status(status) == broadcast.StatusCancelled
		group, args := groupFilter(b.Group, "mb.contact_id")
		list, err := tx.QueryContext(ctx, `SELECT c.id, c.phone, c.name, c.fields, c.opted_out_at IS NOT NULL, c.invalid_reason, a.sender_id
			FROM memberships mb
			JOIN contacts c ON c.id = mb.contact_id
			LEFT JOIN assignments a ON a.contact_id = c.id
			WHERE mb.list_id = ? AND mb.contact_id > ?`+group+`
			ORDER BY mb.contact_id LIMIT ?`, append(append([]any{b.ListID, after}, args...), limit)...)
		if err != nil {
			return err
		}
		type member struct {
			id       int64
			phone    string
			name     string
			fields   string
			optedOut bool
			invalid  string
			sender   sql.NullInt64
		}
		var members []member
		for list.Next() {
			var m member
			if err := list.Scan(&m.id, &m.phone, &m.name, &m.fields, &m.optedOut, &m.invalid, &m.sender); err != nil {
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
			case cancelled:
				status, reason = broadcast.MsgSkipped, "cancelled"
			case bal.Empty():
				return broadcast.Errorf(broadcast.ECONFLICT, "there is no number to send from: add one with /sms numbers add")
			default:
				id, moved := bal.Place(m.sender.Int64)
				if moved {
					assigned = append(assigned, [2]int64{m.id, id})
				}
				sender = id
			}
			var body, segments any
			if tmpl != nil && status == broadcast.MsgQueued {
				c := contactRow{ID: m.id, Phone: m.phone, Name: m.name, Fields: m.fields}.domain()
				text, _ := tmpl.Render(c)
				body, segments = text, broadcast.CountSegments(text).Segments
			}
			outbox = append(outbox, []any{m.id, m.phone, sender, status, reason, body, segments})
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

// EachRecipient calls fn with every member of the list who would be
// texted, in contact order, reading them a page at a time.
func (s *Store) EachRecipient(ctx context.Context, t broadcast.Target, fn func(broadcast.Contact) error) error {
	after := int64(0)
	group, args := groupFilter(t.Group, "id")
	for {
		var page []contactRow
		err := s.db.NewSelect().Model(&page).
			Where("id IN (SELECT contact_id FROM memberships WHERE list_id = ?)"+group, append([]any{t.ListID}, args...)...).
			Where("opted_out_at IS NULL AND invalid_reason = ''").
			Where("id > ?", after).Order("id").Limit(1000).Scan(ctx)
		if err != nil {
			return fmt.Errorf("read recipients: %w", err)
		}
		if len(page) == 0 {
			return nil
		}
		for _, c := range page {
			if err := fn(c.domain()); err != nil {
				return err
			}
		}
		after = page[len(page)-1].ID
	}
}
