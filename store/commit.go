package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"smsbot/broadcast"
)

// Commit applies the engine's claims and outcomes in one transaction. A
// claim only takes rows that are still queued on the claiming sender, of a
// broadcast that is still sending. An outcome only changes a row that is
// still Sending, so a late or repeated outcome cannot undo a final one.
func (s *Store) Commit(ctx context.Context, c broadcast.Commit) ([][]int64, error) {
	now := c.Now.UTC()
	claimed := make([][]int64, len(c.Claims))
	tx, err := s.db.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("commit outbox: %w", err)
	}
	defer tx.Rollback()
	if len(c.Claims) > 0 {
		claim := tx.StmtContext(ctx, s.stmts.claim)
		for i, cl := range c.Claims {
			if len(cl.IDs) == 0 {
				continue
			}
			ids, _ := json.Marshal(cl.IDs)
			rows, err := claim.QueryContext(ctx, now, now, now, string(ids), cl.SenderID, cl.Token, cl.Token, cl.SenderID, now)
			if err != nil {
				return nil, fmt.Errorf("claim texts: %w", err)
			}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return nil, fmt.Errorf("claim texts: %w", err)
				}
				claimed[i] = append(claimed[i], id)
			}
			if err := rows.Close(); err != nil {
				return nil, fmt.Errorf("claim texts: %w", err)
			}
		}
	}
	if len(c.Outcomes) > 0 {
		sent := tx.StmtContext(ctx, s.stmts.sent)
		update := tx.StmtContext(ctx, s.stmts.outcome)
		var batch sentBatch // PostgreSQL's runs of plain Sent outcomes
		for i := range c.Outcomes {
			c.Outcomes[i].Refused = false // a retried commit starts over
		}
		for i, o := range c.Outcomes {
			if o.Status == broadcast.MsgSent && o.Effect == broadcast.NoEffect {
				// Nearly every outcome: the short statement, or on
				// PostgreSQL one for each run of them.
				if s.sql.PG {
					batch.add(c.Outcomes, i)
					continue
				}
				res, err := sent.ExecContext(ctx, o.ProviderSID, now, now, o.MessageID, o.Token, o.Token)
				if err != nil {
					return nil, fmt.Errorf("record outcome of text %d: %w", o.MessageID, err)
				}
				c.Outcomes[i].Refused = changedNothing(res)
				continue
			}
			if err := batch.flush(ctx, tx, now); err != nil {
				return nil, err
			}
			at := o.At.UTC()
			var sid, next, sentAt any
			if o.ProviderSID != "" {
				sid = o.ProviderSID
			}
			if o.Status == broadcast.MsgQueued {
				next = o.NextAttempt.UTC()
			}
			if o.Status == broadcast.MsgSent {
				sentAt = at
			}
			given := 0
			if o.Release {
				given = 1
			}
			res, err := update.ExecContext(ctx, o.Status, sid, o.ErrorCode, o.ErrorText, next, sentAt, at, given, o.MessageID, o.Token)
			if err != nil {
				return nil, fmt.Errorf("record outcome of text %d: %w", o.MessageID, err)
			}
			c.Outcomes[i].Refused = changedNothing(res)
			if err := contactEffect(ctx, reboundTx{tx, s.sql.rebind}, o.ContactID, o.Effect, o.ErrorCode, o.ErrorText, o.At); err != nil {
				return nil, err
			}
		}
		if err := batch.flush(ctx, tx, now); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit outbox: %w", err)
	}
	return claimed, nil
}

// changedNothing reports whether a settle's statement found no row to
// change (a driver that cannot say counts as a change).
func changedNothing(res sql.Result) bool {
	n, err := res.RowsAffected()
	return err == nil && n == 0
}
