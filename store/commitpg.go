package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"smsbot/broadcast"
)

// sentBatchSQL is sentSQL for many rows at once, on PostgreSQL: each row
// (id, sid, token) is settled Sent only while it is Sending and, when its
// token is not 0, while the lease on its sender still has that token.
// Arguments: ids, sids, tokens (arrays of one length), now.
const sentBatchSQL = `UPDATE messages SET status = 'sent', provider_sid = v.sid, error_code = '', error_text = '',
		sent_at = $4, updated_at = $4
	FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS v(id, sid, tok)
	WHERE messages.id = v.id AND messages.status = 'sending'
		AND (v.tok = 0 OR EXISTS (SELECT 1 FROM leases l
			WHERE l.name = 'sender:' || messages.sender_id AND l.token = v.tok))
	RETURNING messages.id`

// sentBatch collects the plain Sent outcomes of one Commit on PostgreSQL
// (Sent, no effect on the contact), so that a run of them costs one
// statement instead of one round trip each, the send path's largest cost
// there. It keeps the sequential statements' meaning: runs are flushed in
// order before any other outcome, and within a run the first outcome of
// a row wins, as the later ones would have found it Sent already.
type sentBatch struct {
	outcomes []broadcast.Outcome // the Commit's, to mark Refused
	at       []int               // indexes in outcomes of the rows batched
	ids      []int64
	sids     []string
	tokens   []int64
	seen     map[int64]bool
}

// add batches outcomes[i]. A second outcome for a row already batched
// would find it Sent: it is refused at once.
func (b *sentBatch) add(outcomes []broadcast.Outcome, i int) {
	o := outcomes[i]
	b.outcomes = outcomes
	if b.seen == nil {
		b.seen = map[int64]bool{}
	}
	if b.seen[o.MessageID] {
		outcomes[i].Refused = true
		return
	}
	b.seen[o.MessageID] = true
	b.at = append(b.at, i)
	b.ids = append(b.ids, o.MessageID)
	b.sids = append(b.sids, o.ProviderSID)
	b.tokens = append(b.tokens, o.Token)
}

// flush settles the collected rows in tx, marks those it could not settle
// Refused, and empties the batch.
func (b *sentBatch) flush(ctx context.Context, tx *sql.Tx, now time.Time) error {
	if len(b.ids) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, sentBatchSQL, b.ids, b.sids, b.tokens, now)
	if err != nil {
		return fmt.Errorf("record outcomes of %d texts: %w", len(b.ids), err)
	}
	settled := make(map[int64]bool, len(b.ids))
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("record outcomes of %d texts: %w", len(b.ids), err)
		}
		settled[id] = true
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("record outcomes of %d texts: %w", len(b.ids), err)
	}
	for k, i := range b.at {
		b.outcomes[i].Refused = !settled[b.ids[k]]
	}
	b.at, b.ids, b.sids, b.tokens = b.at[:0], b.ids[:0], b.sids[:0], b.tokens[:0]
	clear(b.seen)
	return nil
}
