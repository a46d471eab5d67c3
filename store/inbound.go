package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"smsbot/broadcast"
	"smsbot/inbound"
)

var _ inbound.Store = (*Store)(nil)

// SaveText stores an incoming text once per SID, creating the contact of
// an unknown number. fresh is false when the SID was stored before.
func (s *Store) SaveText(ctx context.Context, t inbound.Text, k inbound.Keyword) (inbound.Saved, bool, error) {
	saved := inbound.Saved{Text: t, Keyword: k}
	fresh := false
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// A text already stored (a retried webhook, a poll overlapping one)
		// changes nothing: its SID is looked up before its number, so a
		// forgotten contact's old text does not bring the number back.
		var known []int64
		if err := tx.NewRaw(`SELECT contact_id FROM inbound_messages WHERE sid = ?`, t.SID).Scan(ctx, &known); err != nil {
			return err
		}
		if len(known) > 0 {
			var c contactRow
			if err := tx.NewSelect().Model(&c).Where("id = ?", known[0]).Scan(ctx); err != nil {
				return err
			}
			saved.Contact = c.domain()
			lists, err := contactLists(ctx, tx, c.ID)
			saved.Lists = lists
			return err
		}
		now := s.nowUTC()
		c, _, err := ensureContact(ctx, tx, t.From, "", now)
		if err != nil {
			return err
		}
		saved.Contact = c.domain()
		res, err := tx.ExecContext(ctx, `INSERT INTO inbound_messages (sid, contact_id, from_phone, to_phone, body, media, keyword, received_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sid) DO NOTHING`,
			t.SID, c.ID, t.From, t.To, t.Body, strings.Join(t.Media, "\n"), string(k), t.At.UTC())
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		fresh = n == 1
		// YES is an opt-in word (Start) that also answers a yes/no poll,
		// from a contact who has not opted out (from one who has, it is
		// their way back, which staff are told of); poll.Match refuses
		// START and UNSTOP themselves.
		if fresh && (k == inbound.NoKeyword || k == inbound.Start && c.OptedOutAt == nil) && len(t.Media) == 0 {
			if saved.Poll, err = answerPoll(ctx, tx, c.ID, t, k != inbound.NoKeyword, now); err != nil {
				return err
			}
		}
		saved.Lists, err = contactLists(ctx, tx, c.ID)
		return err
	})
	if err != nil {
		return inbound.Saved{}, false, fmt.Errorf("save text %s: %w", t.SID, err)
	}
	return saved, fresh, nil
}

func contactLists(ctx context.Context, db bun.IDB, contactID int64) ([]string, error) {
	var names []string
	// From the lists, each probing memberships' primary key: a join from
	// memberships is a scan of all of them on SQLite (no index leads
	// with contact_id).
	err := db.NewRaw(`SELECT l.name FROM lists l
		WHERE EXISTS (SELECT 1 FROM memberships mb WHERE mb.list_id = l.id AND mb.contact_id = ?) ORDER BY l.name`, contactID).Scan(ctx, &names)
	return names, err
}

// ClaimAutoReply records an auto-reply at now unless the contact got one
// less than every before.
func (s *Store) ClaimAutoReply(ctx context.Context, contactID int64, now time.Time, every time.Duration) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO auto_replies (contact_id, sent_at) VALUES (?, ?)
		ON CONFLICT (contact_id) DO UPDATE SET sent_at = excluded.sent_at WHERE auto_replies.sent_at <= ?`,
		contactID, now.UTC(), now.Add(-every).UTC())
	if err != nil {
		return false, fmt.Errorf("claim auto-reply: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Thread returns the staff thread of a contact on a platform, or "".
func (s *Store) Thread(ctx context.Context, contactID int64, platform string) (string, error) {
	var ref string
	err := s.db.NewRaw(`SELECT ref FROM threads WHERE contact_id = ? AND platform = ?`, contactID, platform).Scan(ctx, &ref)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("read thread: %w", err)
	}
	return ref, nil
}

// SetThread records the staff thread of a contact on a platform.
func (s *Store) SetThread(ctx context.Context, contactID int64, platform, ref string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO threads (contact_id, platform, ref) VALUES (?, ?, ?)
		ON CONFLICT (contact_id, platform) DO UPDATE SET ref = excluded.ref`, contactID, platform, ref)
	if err != nil {
		return fmt.Errorf("save thread: %w", err)
	}
	return nil
}

// ContactByThread returns the contact whose staff thread is ref, or an
// ENOTFOUND error.
func (s *Store) ContactByThread(ctx context.Context, platform, ref string) (broadcast.Contact, error) {
	var c contactRow
	err := s.db.NewSelect().Model(&c).Where("id = (SELECT contact_id FROM threads WHERE platform = ? AND ref = ?)", platform, ref).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return broadcast.Contact{}, broadcast.Errorf(broadcast.ENOTFOUND, "this thread belongs to no contact")
	} else if err != nil {
		return broadcast.Contact{}, fmt.Errorf("read thread contact: %w", err)
	}
	return c.domain(), nil
}

// MarkRelayed records that a text was shown to staff.
func (s *Store) MarkRelayed(ctx context.Context, sid string, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE inbound_messages SET relayed_at = ? WHERE sid = ?`, at.UTC(), sid); err != nil {
		return fmt.Errorf("mark text relayed: %w", err)
	}
	return nil
}

// Unrelayed returns stored texts not yet shown to staff, oldest first.
func (s *Store) Unrelayed(ctx context.Context, limit int) ([]inbound.Saved, error) {
	var rows []struct {
		SID        string    `bun:"sid"`
		ContactID  int64     `bun:"contact_id"`
		From       string    `bun:"from_phone"`
		To         string    `bun:"to_phone"`
		Body       string    `bun:"body"`
		Media      string    `bun:"media"`
		Keyword    string    `bun:"keyword"`
		ReceivedAt time.Time `bun:"received_at"`
		PollID     *int64    `bun:"poll_id"`
		PollOption int       `bun:"poll_option"`
	}
	err := s.db.NewRaw(`SELECT sid, contact_id, from_phone, to_phone, body, media, keyword, received_at, poll_id, poll_option
		FROM inbound_messages WHERE relayed_at IS NULL ORDER BY id LIMIT ?`, limit).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("read unrelayed texts: %w", err)
	}
	out := make([]inbound.Saved, 0, len(rows))
	for _, r := range rows {
		var c contactRow
		if err := s.db.NewSelect().Model(&c).Where("id = ?", r.ContactID).Scan(ctx); err != nil {
			return nil, fmt.Errorf("read unrelayed texts: %w", err)
		}
		lists, err := contactLists(ctx, s.db, r.ContactID)
		if err != nil {
			return nil, fmt.Errorf("read unrelayed texts: %w", err)
		}
		var media []string
		if r.Media != "" {
			media = strings.Split(r.Media, "\n")
		}
		out = append(out, inbound.Saved{
			Text:    inbound.Text{SID: r.SID, From: r.From, To: r.To, Body: r.Body, Media: media, At: r.ReceivedAt},
			Keyword: inbound.Keyword(r.Keyword), Contact: c.domain(), Lists: lists,
		})
		if r.PollID != nil {
			// counted answers are never unrelayed
			out[len(out)-1].Poll = inbound.PollMatch{Poll: *r.PollID, Closed: r.PollOption < 0}
		}
	}
	return out, nil
}

// ApplyStatus records a delivery receipt on the outbox row or chat reply
// with its SID. A final status (delivered, undelivered, failed) is never
// replaced. It reports whether anything changed.
func (s *Store) ApplyStatus(ctx context.Context, u inbound.StatusUpdate) (bool, error) {
	changed := false
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		at := u.At.UTC()
		var delivered any
		if u.Status == broadcast.MsgDelivered {
			delivered = at
		}
		var contactID int64
		err := tx.QueryRowContext(ctx, `UPDATE messages SET status = ?, error_code = ?, error_text = ?, delivered_at = ?, updated_at = ?
			WHERE provider_sid = ? AND status IN ('sending', 'sent') RETURNING contact_id`,
			u.Status, u.ErrorCode, u.ErrorText, delivered, at, u.SID).Scan(&contactID)
		if errors.Is(err, sql.ErrNoRows) {
			err = tx.QueryRowContext(ctx, `UPDATE replies SET status = ?, error_code = ?, error_text = ?, updated_at = ?
				WHERE provider_sid = ? AND status = 'sent' RETURNING contact_id`,
				u.Status, u.ErrorCode, u.ErrorText, at, u.SID).Scan(&contactID)
		}
		if errors.Is(err, sql.ErrNoRows) {
			return nil // unknown SID, or already final
		} else if err != nil {
			return err
		}
		changed = true
		return contactEffect(ctx, tx, contactID, u.Effect, u.ErrorCode, u.ErrorText, at)
	})
	if err != nil {
		return false, fmt.Errorf("apply status of %s: %w", u.SID, err)
	}
	return changed, nil
}

// execer is a transaction of Bun or database/sql.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// contactEffect records what a carrier error says about a contact.
func contactEffect(ctx context.Context, db execer, contactID int64, effect broadcast.ContactEffect, code, text string, at time.Time) error {
	var err error
	switch effect {
	case broadcast.MarkOptedOut:
		_, err = db.ExecContext(ctx, `UPDATE contacts SET opted_out_at = COALESCE(opted_out_at, ?) WHERE id = ?`, at.UTC(), contactID)
	case broadcast.FlagInvalid:
		reason := strings.TrimSpace(code + " " + text)
		_, err = db.ExecContext(ctx, `UPDATE contacts SET invalid_reason = ? WHERE id = ?`, reason, contactID)
	}
	if err != nil {
		return fmt.Errorf("flag contact %d: %w", contactID, err)
	}
	return nil
}

// Cursor returns a named position of background work, or "".
func (s *Store) Cursor(ctx context.Context, name string) (string, error) {
	var v string
	err := s.db.NewRaw(`SELECT value FROM cursors WHERE name = ?`, name).Scan(ctx, &v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("read cursor %s: %w", name, err)
	}
	return v, nil
}

// SetCursor records a named position of background work.
func (s *Store) SetCursor(ctx context.Context, name, value string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO cursors (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
	if err != nil {
		return fmt.Errorf("save cursor %s: %w", name, err)
	}
	return nil
}

// AwaitingStatus returns, per sender, the oldest send time of texts sent
// since since whose delivery status is not final yet.
func (s *Store) AwaitingStatus(ctx context.Context, since time.Time) (map[int64]time.Time, error) {
	var rows []struct {
		SenderID int64  `bun:"sender_id"`
		Oldest   string `bun:"oldest"`
	}
	err := s.db.NewRaw(`SELECT sender_id, MIN(sent_at) AS oldest FROM (
			SELECT sender_id, sent_at FROM messages WHERE status = 'sent' AND sent_at >= ?
			UNION ALL
			SELECT sender_id, created_at FROM replies WHERE status = 'sent' AND created_at >= ?
		) AS t GROUP BY sender_id`, since.UTC(), since.UTC()).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("read texts awaiting status: %w", err)
	}
	out := make(map[int64]time.Time, len(rows))
	for _, r := range rows {
		t, err := parseTime(r.Oldest)
		if err != nil {
			return nil, fmt.Errorf("read texts awaiting status: %w", err)
		}
		out[r.SenderID] = t
	}
	return out, nil
}
