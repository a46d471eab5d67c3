package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"smsbot/broadcast"
)

// attempted are the statuses of a text the provider has had: accepted
// (sent, delivered, undelivered) or refused (failed).
var attempted = []broadcast.MessageStatus{broadcast.MsgSent, broadcast.MsgDelivered, broadcast.MsgUndelivered, broadcast.MsgFailed}

// SentBroadcasts returns, newest first, up to limit broadcasts that sent
// something: at least one of their texts was accepted or refused by the
// provider. Broadcasts still pending, declined, or cancelled before their
// first text are left out.
func (s *Store) SentBroadcasts(ctx context.Context, limit int) ([]broadcast.Broadcast, error) {
	var rows []broadcastRow
	err := s.selectBroadcasts(s.db, &rows).
		Where("EXISTS (SELECT 1 FROM messages AS m WHERE m.broadcast_id = b.id AND m.status IN (?))", bun.List(attempted)).
		Order("b.id DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("read broadcasts that sent: %w", err)
	}
	return domainBroadcasts(rows), nil
}
