package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"smsbot/broadcast"
)

// SentToList returns the broadcasts to a list that started at or after
// since and are sending or sent at least one text (a paused or cancelled
// one that sent nothing, or one never approved, is left out), newest
// first. Previews use it to warn of a text sent twice.
func (s *Store) SentToList(ctx context.Context, listID int64, since time.Time) ([]broadcast.Broadcast, error) {
	var rows []broadcastRow
	err := s.selectBroadcasts(s.db, &rows).
		Where("b.list_id = ?", listID).
		Where("b.started_at >= ?", since.UTC()).
		Where("b.status = ? OR EXISTS (SELECT 1 FROM messages AS m WHERE m.broadcast_id = b.id AND m.status IN (?))",
			broadcast.StatusSending, bun.List([]broadcast.MessageStatus{broadcast.MsgSent, broadcast.MsgDelivered, broadcast.MsgUndelivered})).
		Order("b.id DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("read broadcasts sent to list %d: %w", listID, err)
	}
	return domainBroadcasts(rows), nil
}
