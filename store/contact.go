package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"smsbot/broadcast"
)

// textRow is one text to or from a contact, from the outbox, the staff
// replies or the inbound texts.
type textRow struct {
	At          time.Time `bun:"at"`
	Direction   string    `bun:"direction"`
	Body        string    `bun:"body"`
	Status      string    `bun:"status"`
	BroadcastID int64     `bun:"broadcast_id"`
}

// ContactDetails returns the contact with the E.164 phone, its lists, its
// sticky sender and its newest texts (at most texts of them, newest
// first): broadcast texts that left or failed, staff replies and texts it
// sent in. An unknown phone is ENOTFOUND.
func (s *Store) ContactDetails(ctx context.Context, phone string, texts int) (broadcast.ContactDetails, error) {
	var c contactRow
	err := s.db.NewSelect().Model(&c).Where("phone = ?", phone).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return broadcast.ContactDetails{}, broadcast.Errorf(broadcast.ENOTFOUND, "%s is not a known contact; /sms add <list> %s adds it", phone, phone)
	} else if err != nil {
		return broadcast.ContactDetails{}, fmt.Errorf("read contact: %w", err)
	}
	out := broadcast.ContactDetails{Contact: c.domain()}
	if out.Lists, err = contactLists(ctx, s.db, c.ID); err != nil {
		return broadcast.ContactDetails{}, fmt.Errorf("read contact's lists: %w", err)
	}
	err = s.db.QueryRowContext(ctx, `SELECT s.address FROM assignments a JOIN senders s ON s.id = a.sender_id WHERE a.contact_id = ?`, c.ID).
		Scan(&out.Sender)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return broadcast.ContactDetails{}, fmt.Errorf("read contact's sender: %w", err)
	}
	// Broadcast rows not yet attempted (queued, skipped) were never a
	// text, so only rows with an attempt are shown.
	var rows []textRow
	err = s.db.NewRaw(`SELECT at, direction, body, status, broadcast_id FROM (
			SELECT COALESCE(m.sent_at, m.last_attempt_at) AS at, 'out' AS direction, COALESCE(m.body, b.body) AS body,
				m.status AS status, m.broadcast_id AS broadcast_id
			FROM messages m JOIN broadcasts b ON b.id = m.broadcast_id
			WHERE m.contact_id = ? AND m.last_attempt_at IS NOT NULL
			UNION ALL
			SELECT r.created_at, 'out', r.body, r.status, 0 FROM replies r WHERE r.contact_id = ?
			UNION ALL
			SELECT i.received_at, 'in', i.body, '', 0 FROM inbound_messages i WHERE i.contact_id = ?
		) AS t ORDER BY at DESC LIMIT ?`, c.ID, c.ID, c.ID, texts).Scan(ctx, &rows)
	if err != nil {
		return broadcast.ContactDetails{}, fmt.Errorf("read contact's texts: %w", err)
	}
	for _, r := range rows {
		out.Texts = append(out.Texts, broadcast.Text{At: r.At, Direction: broadcast.Direction(r.Direction), Body: r.Body,
			Status: r.Status, BroadcastID: r.BroadcastID})
	}
	return out, nil
}
