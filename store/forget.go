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

// forgottenPhone is what a forgotten contact's texts show as their number.
const forgottenPhone = "forgotten"

// Forget erases the contact with the id, for a privacy request, in one
// transaction:
//
//   - its memberships, sticky sender, staff threads, auto-reply mark and
//     the texts it sent that the store set aside (dead letters) are deleted;
//   - its outbox rows, staff replies and inbound texts keep only what
//     exactly-once sending and the statistics need (status, provider SID,
//     error code, segments, times, keyword): their numbers, bodies, media
//     and error texts are erased;
//   - the contact row itself stays as an anonymous tombstone (phone
//     "forgotten:<id>", no name, no fields, marked invalid) because those
//     rows refer to it; the same number texting in or added later is a new
//     contact;
//   - earlier audit entries that named the number name the tombstone
//     instead, and one contact.forget entry records who forgot whom by id
//     and the number's last two digits only.
//
// The opt-out goes with the number. ENOTFOUND if the contact is unknown or
// already forgotten (a second click); ECONFLICT while a broadcast still has
// a text for it queued or in flight, or a staff reply whose outcome is
// still being checked (both need its number and text).
func (s *Store) Forget(ctx context.Context, contactID int64, actor string) (broadcast.Forgotten, error) {
	out := broadcast.Forgotten{ContactID: contactID}
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var c contactRow
		err := tx.NewSelect().Model(&c).Where("id = ?", contactID).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) || err == nil && strings.HasPrefix(c.Phone, forgottenPhone+":") {
			return broadcast.Errorf(broadcast.ENOTFOUND, "that contact was already forgotten")
		} else if err != nil {
			return err
		}
		var open []int64
		if err := tx.NewRaw(`SELECT DISTINCT broadcast_id FROM messages WHERE contact_id = ? AND status IN (?, ?) ORDER BY broadcast_id`,
			c.ID, broadcast.MsgQueued, broadcast.MsgSending).Scan(ctx, &open); err != nil {
			return err
		}
		if len(open) > 0 {
			return broadcast.Errorf(broadcast.ECONFLICT, "broadcast #%d still has a text for them queued or in flight; "+
				"wait until it ends or cancel it (/sms cancel %d), then forget them", open[0], open[0])
		}
		var checking int
		if err := tx.NewRaw(`SELECT COUNT(*) FROM replies WHERE contact_id = ? AND status = ?`, c.ID, broadcast.MsgSending).Scan(ctx, &checking); err != nil {
			return err
		}
		if checking > 0 {
			return broadcast.Errorf(broadcast.ECONFLICT, "a staff reply to them is still being checked with the carrier (its outcome was unknown); try again in a few minutes")
		}
		if out.Lists, err = contactLists(ctx, tx, c.ID); err != nil {
			return err
		}
		tomb := fmt.Sprintf("%s:%d", forgottenPhone, c.ID)
		for _, q := range []string{
			`DELETE FROM memberships WHERE contact_id = ?`,
			`DELETE FROM assignments WHERE contact_id = ?`,
			`DELETE FROM threads WHERE contact_id = ?`,
			`DELETE FROM auto_replies WHERE contact_id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, c.ID); err != nil {
				return err
			}
		}
		// Unrelayed texts are marked relayed: there is nothing left to show.
		for _, u := range []struct {
			q string
			a []any
		}{
			{`UPDATE messages SET to_phone = ?, body = NULL, error_text = '' WHERE contact_id = ?`, []any{forgottenPhone, c.ID}},
			{`UPDATE replies SET body = '', error_text = '' WHERE contact_id = ?`, []any{c.ID}},
			{`UPDATE poll_answers SET raw = '' WHERE contact_id = ?`, []any{c.ID}},
			{`UPDATE inbound_messages SET from_phone = ?, body = '', media = '', relayed_at = COALESCE(relayed_at, ?) WHERE contact_id = ?`,
				[]any{forgottenPhone, s.nowUTC(), c.ID}},
		} {
			res, err := tx.ExecContext(ctx, u.q, u.a...)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			out.Texts += int(n)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM dead_letters WHERE from_phone = ?`, c.Phone); err != nil {
			return err
		}
		for _, col := range []string{"subject", "detail"} {
			if _, err := tx.ExecContext(ctx, `UPDATE audit_log SET `+col+` = ? WHERE `+col+` = ?`, tomb, c.Phone); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE contacts SET phone = ?, name = '', fields = '{}', opted_out_at = NULL, invalid_reason = ? WHERE id = ?`,
			tomb, "forgotten", c.ID); err != nil {
			return err
		}
		return audit(ctx, tx, s.nowUTC(), actor, "contact.forget", tomb,
			fmt.Sprintf("phone=…%s lists=%d texts=%d", lastDigits(c.Phone, 2), len(out.Lists), out.Texts))
	})
	if err != nil {
		return broadcast.Forgotten{}, fmt.Errorf("forget contact %d: %w", contactID, err)
	}
	return out, nil
}

// lastDigits returns the last n characters of an E.164 phone.
func lastDigits(phone string, n int) string {
	if len(phone) <= n {
		return phone
	}
	return phone[len(phone)-n:]
}
