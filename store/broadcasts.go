package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"smsbot/broadcast"
)

func (s *Store) selectBroadcasts(db bun.IDB, rows *[]broadcastRow) *bun.SelectQuery {
	return db.NewSelect().Model(rows).ColumnExpr("b.*").ColumnExpr("l.name AS list_name").
		Join("JOIN lists AS l ON l.id = b.list_id")
}

// CreateBroadcast stores a new pending broadcast.
func (s *Store) CreateBroadcast(ctx context.Context, b broadcast.Broadcast) (broadcast.Broadcast, error) {
	r := broadcastRow{
		Body: b.Body, ListID: b.ListID, Status: string(broadcast.StatusPending), RequestedBy: b.RequestedBy,
		Segments: b.Segments, Encoding: string(b.Encoding), CreatedAt: s.nowUTC(),
		GroupPoll: groupPoll(b.Group), GroupOption: b.Group.Option,
	}
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&r).Exec(ctx); err != nil {
			return err
		}
		if err := insertPoll(ctx, tx, r.ID, b.Question); err != nil {
			return err
		}
		return audit(ctx, tx, r.CreatedAt, b.RequestedBy, "broadcast.request", fmt.Sprintf("#%d", r.ID), fmt.Sprintf("list=%s chars=%d", b.ListName, len([]rune(b.Body))))
	})
	if err != nil {
		return broadcast.Broadcast{}, fmt.Errorf("create broadcast: %w", err)
	}
	return s.Broadcast(ctx, r.ID)
}

// Broadcast returns one broadcast, or an ENOTFOUND error.
func (s *Store) Broadcast(ctx context.Context, id int64) (broadcast.Broadcast, error) {
	return getBroadcast(ctx, s, s.db, id)
}

func getBroadcast(ctx context.Context, s *Store, db bun.IDB, id int64) (broadcast.Broadcast, error) {
	var rows []broadcastRow
	if err := s.selectBroadcasts(db, &rows).Where("b.id = ?", id).Scan(ctx); err != nil {
		return broadcast.Broadcast{}, fmt.Errorf("read broadcast #%d: %w", id, err)
	}
	if len(rows) == 0 {
		return broadcast.Broadcast{}, broadcast.Errorf(broadcast.ENOTFOUND, "there is no broadcast #%d (see /sms status)", id)
	}
	return rows[0].domain(), nil
}

// RecentBroadcasts returns the newest broadcasts first.
func (s *Store) RecentBroadcasts(ctx context.Context, limit int) ([]broadcast.Broadcast, error) {
	var rows []broadcastRow
	if err := s.selectBroadcasts(s.db, &rows).Order("b.id DESC").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("read broadcasts: %w", err)
	}
	return domainBroadcasts(rows), nil
}

// UnfinishedBroadcasts returns the broadcasts that are sending or paused.
func (s *Store) UnfinishedBroadcasts(ctx context.Context) ([]broadcast.Broadcast, error) {
	var rows []broadcastRow
	err := s.selectBroadcasts(s.db, &rows).
		Where("b.status IN (?)", bun.List([]broadcast.Status{broadcast.StatusSending, broadcast.StatusPaused})).
		Order("b.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("read unfinished broadcasts: %w", err)
	}
	return domainBroadcasts(rows), nil
}

func domainBroadcasts(rows []broadcastRow) []broadcast.Broadcast {
	out := make([]broadcast.Broadcast, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out
}

// Transition moves a broadcast from one of from to to and audits it.
// Approval (Pending → Sending) records the approver; final statuses
// record the finish time; cancelling skips the queued texts.
func (s *Store) Transition(ctx context.Context, id int64, from []broadcast.Status, to broadcast.Status, actor string, now time.Time) (broadcast.Broadcast, error) {
	var out broadcast.Broadcast
	now = now.UTC()
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var cur broadcastRow
		err := tx.NewSelect().Model(&cur).Where("id = ?", id).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return broadcast.Errorf(broadcast.ENOTFOUND, "there is no broadcast #%d (see /sms status)", id)
		} else if err != nil {
			return err
		}
		if !slices.Contains(from, broadcast.Status(cur.Status)) {
			return broadcast.Errorf(broadcast.ECONFLICT, "broadcast #%d is %s", id, cur.Status)
		}
		// Only from the status read: on PostgreSQL another transaction may
		// have moved the broadcast since (READ COMMITTED), and then this
		// changes nothing and the move is refused.
		q := tx.NewUpdate().Model((*broadcastRow)(nil)).Set("status = ?", to).Where("id = ? AND status = ?", id, cur.Status)
		if broadcast.Status(cur.Status) == broadcast.StatusPending && to == broadcast.StatusSending {
			q = q.Set("approved_by = ?", actor).Set("approved_at = ?", now).Set("started_at = ?", now)
		}
		if to.Final() {
			q = q.Set("finished_at = ?", now)
		}
		if res, err := q.Exec(ctx); err != nil {
			return err
		} else if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			var status string
			if err := tx.NewSelect().Model((*broadcastRow)(nil)).Column("status").Where("id = ?", id).Scan(ctx, &status); err != nil {
				return err
			}
			return broadcast.Errorf(broadcast.ECONFLICT, "broadcast #%d is %s", id, status)
		}
		if to == broadcast.StatusCancelled {
			_, err := tx.NewUpdate().Model((*messageRow)(nil)).
				Set("status = ?", broadcast.MsgSkipped).Set("error_text = 'cancelled'").Set("updated_at = ?", now).
				Where("broadcast_id = ? AND status = ?", id, broadcast.MsgQueued).Exec(ctx)
			if err != nil {
				return err
			}
		}
		if err := audit(ctx, tx, now, actor, "broadcast."+actionOf(broadcast.Status(cur.Status), to), fmt.Sprintf("#%d", id), ""); err != nil {
			return err
		}
		out, err = getBroadcast(ctx, s, tx, id)
		return err
	})
	if err != nil {
		return broadcast.Broadcast{}, fmt.Errorf("broadcast #%d to %s: %w", id, to, err)
	}
	return out, nil
}

func actionOf(from, to broadcast.Status) string {
	switch {
	case from == broadcast.StatusPending && to == broadcast.StatusSending:
		return "approve"
	case to == broadcast.StatusPaused:
		return "pause"
	case from == broadcast.StatusPaused && to == broadcast.StatusSending:
		return "resume"
	case to == broadcast.StatusCancelled:
		return "cancel"
	case to == broadcast.StatusCompleted:
		return "complete"
	}
	return string(to)
}

// MarkQueued records that a broadcast's outbox is complete.
func (s *Store) MarkQueued(ctx context.Context, id int64) error {
	if _, err := s.db.NewUpdate().Model((*broadcastRow)(nil)).Set("queued = TRUE").Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("mark broadcast #%d queued: %w", id, err)
	}
	return nil
}

// Audience counts a list's members as a broadcast would treat them.
func (s *Store) Audience(ctx context.Context, t broadcast.Target) (broadcast.Audience, error) {
	group, args := groupFilter(t.Group, "mb.contact_id")
	aud := broadcast.Audience{BySender: map[int64]int{}}
	var rows []struct {
		SenderID *int64 `bun:"sender_id"`
		OptedOut bool   `bun:"opted_out"`
		Invalid  bool   `bun:"invalid"`
		N        int    `bun:"n"`
	}
	err := s.db.NewRaw(`SELECT s.id AS sender_id, c.opted_out_at IS NOT NULL AS opted_out,
			c.invalid_reason != '' AS invalid, COUNT(*) AS n
		FROM memberships mb
		JOIN contacts c ON c.id = mb.contact_id
		LEFT JOIN assignments a ON a.contact_id = c.id
		LEFT JOIN senders s ON s.id = a.sender_id AND s.enabled
		WHERE mb.list_id = ?`+group+`
		GROUP BY 1, 2, 3`, append([]any{t.ListID}, args...)...).Scan(ctx, &rows)
	if err != nil {
		return aud, fmt.Errorf("count audience of list %d: %w", t.ListID, err)
	}
	for _, r := range rows {
		aud.Total += r.N
		switch {
		case r.OptedOut:
			aud.OptedOut += r.N
		case r.Invalid:
			aud.Invalid += r.N
		case r.SenderID == nil:
			aud.Unassigned += r.N
		default:
			aud.BySender[*r.SenderID] += r.N
		}
	}
	aud.Loads, err = senderLoads(ctx, s.db)
	return aud, err
}
