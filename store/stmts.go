package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// stmts are the statements of the send path, prepared once: parsing SQL
// on every claim and outcome would cost more than running it.
type stmts struct {
	next      *sql.Stmt
	claim     *sql.Stmt
	sent      *sql.Stmt
	outcome   *sql.Stmt
	insertMsg *sql.Stmt
	assign    *sql.Stmt
}

const (
	// nextSQL reads a sender's queued rows that are due, of sending
	// broadcasts. Arguments: sender, now, limit.
	nextSQL = `SELECT ` + messageColumns + `
		FROM messages m JOIN broadcasts b ON b.id = m.broadcast_id
		WHERE m.sender_id = ? AND m.status = 'queued' AND m.next_attempt_at <= ? AND b.status = 'sending'
		ORDER BY m.broadcast_id, m.id LIMIT ?`
	// sentSQL records a sent row: the common outcome, kept simple.
	// Arguments: sid, now, now, id.
	sentSQL = `UPDATE messages SET status = 'sent', provider_sid = ?, error_code = '', error_text = '',
			sent_at = ?, updated_at = ?
		WHERE id = ? AND status = 'sending' AND ` + fencedSQL
	// fencedSQL holds a settle of messages to the lease it was made
	// under: a replica that lost the sender's lease changes nothing (its
	// rows stay Sending for the new holder to reconcile). Arguments:
	// token, token; a token of 0 settles without a lease.
	fencedSQL = `(CAST(? AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM leases l
			WHERE l.name = 'sender:' || messages.sender_id AND l.token = ?))`
	// outcomeSQL settles a row in Sending. A row going back to the queue
	// of a broadcast cancelled meanwhile is skipped instead; one going
	// back to the queue of a removed sender follows its contact to the
	// new one. Arguments:
	// status, sid, code, text, next, sent_at, now, refund, id, token.
	outcomeSQL = `UPDATE messages SET
			status = CASE WHEN ?1 = 'queued' AND cancelled.yes THEN 'skipped' ELSE ?1 END,
			provider_sid = ?2, error_code = ?3,
			error_text = CASE WHEN ?1 = 'queued' AND cancelled.yes THEN 'cancelled' ELSE ?4 END,
			next_attempt_at = COALESCE(?5, next_attempt_at), sent_at = ?6, updated_at = ?7, attempts = attempts - ?8,
			sender_id = CASE WHEN ?1 = 'queued' THEN COALESCE((SELECT a.sender_id FROM assignments a
				JOIN senders s ON s.id = a.sender_id AND s.enabled WHERE a.contact_id = messages.contact_id), sender_id)
				ELSE sender_id END
		FROM (SELECT status = 'cancelled' AS yes FROM broadcasts
			WHERE id = (SELECT broadcast_id FROM messages WHERE id = ?9)) AS cancelled
		WHERE id = ?9 AND status = 'sending'
			AND (CAST(?10 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM leases l
				WHERE l.name = 'sender:' || messages.sender_id AND l.token = ?10))`
)

// claimSQL takes an enabled sender's queued rows (a JSON array of IDs) of
// sending broadcasts, while the claimer's lease on the sender is still
// the given token and unexpired. Its arguments: now three times, IDs,
// sender, token, token, sender, now.
//
// On PostgreSQL the rows are picked with FOR UPDATE SKIP LOCKED, and the
// lease row is read FOR SHARE: a replica taking the lease over waits for
// this claim to commit, so its reconciliation sees every row it claimed.
func (d dialectSQL) claimSQL() string {
	lease := `(CAST(? AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM leases l WHERE l.token = ? AND l.name = 'sender:' || ? AND l.expires_at > ?))`
	if d.PG {
		return `WITH picked AS (SELECT m.id FROM messages m
			WHERE m.id IN (SELECT CAST(value AS BIGINT) FROM jsonb_array_elements_text(CAST(?4 AS jsonb)))
				AND m.sender_id = ?5 AND m.status = 'queued'
				AND m.broadcast_id IN (SELECT id FROM broadcasts WHERE status = 'sending')
				AND m.sender_id IN (SELECT id FROM senders WHERE enabled)
				AND (CAST(?6 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM leases l
					WHERE l.name = 'sender:' || CAST(?8 AS BIGINT) AND l.token = ?7 AND l.expires_at > ?9 FOR SHARE))
			ORDER BY m.id FOR UPDATE OF m SKIP LOCKED)
		UPDATE messages SET status = 'sending', attempts = attempts + 1,
			first_attempt_at = COALESCE(first_attempt_at, ?1), last_attempt_at = ?2, updated_at = ?3
		FROM picked WHERE messages.id = picked.id
		RETURNING messages.id`
	}
	return `UPDATE messages SET status = 'sending', attempts = attempts + 1,
			first_attempt_at = COALESCE(first_attempt_at, ?), last_attempt_at = ?, updated_at = ?
		WHERE id IN (` + d.jsonInts + `) AND sender_id = ? AND status = 'queued'
			AND broadcast_id IN (SELECT id FROM broadcasts WHERE status = 'sending')
			AND sender_id IN (SELECT id FROM senders WHERE enabled)
			AND ` + lease + `
		RETURNING id`
}

// insertMsgSQL writes a batch of outbox rows from a JSON array of
// [contact_id, phone, sender_id or null, status, reason, body or null,
// segments or null]. Arguments: broadcast, segments, now, now, rows.
// ("WHERE true" keeps SQLite from reading ON CONFLICT as part of the
// SELECT.)
func (d dialectSQL) insertMsgSQL() string {
	return `INSERT INTO messages
			(broadcast_id, contact_id, to_phone, sender_id, status, error_text, body, segments, next_attempt_at, updated_at)
		SELECT ?, CAST(j.value->>0 AS BIGINT), j.value->>1, CAST(j.value->>2 AS BIGINT), j.value->>3, j.value->>4, j.value->>5,
			COALESCE(CAST(j.value->>6 AS INTEGER), ?), ?, ?
		FROM ` + d.jsonRows + ` WHERE true
		ON CONFLICT (broadcast_id, contact_id) DO NOTHING`
}

// assignSQL gives contacts their sticky sender, from a JSON array of
// [contact_id, sender_id]. Arguments: now, pairs.
func (d dialectSQL) assignSQL() string {
	return `INSERT INTO assignments (contact_id, sender_id, assigned_at)
		SELECT CAST(j.value->>0 AS BIGINT), CAST(j.value->>1 AS BIGINT), ? FROM ` + d.jsonRows + ` WHERE true
		ON CONFLICT (contact_id) DO UPDATE SET sender_id = excluded.sender_id, assigned_at = excluded.assigned_at`
}

func (s *Store) prepare(ctx context.Context) error {
	var err error
	p := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = s.db.DB.PrepareContext(ctx, s.sql.rebind(q))
		return st
	}
	s.stmts = stmts{next: p(nextSQL), claim: p(s.sql.claimSQL()), sent: p(sentSQL), outcome: p(outcomeSQL), insertMsg: p(s.sql.insertMsgSQL()), assign: p(s.sql.assignSQL())}
	if err != nil {
		return fmt.Errorf("prepare statements: %w", err)
	}
	return nil
}

func (st stmts) close() error {
	var errs []error
	for _, s := range []*sql.Stmt{st.next, st.claim, st.sent, st.outcome, st.insertMsg, st.assign} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	return errors.Join(errs...)
}
