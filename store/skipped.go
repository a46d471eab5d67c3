package store

import (
	"context"
	"fmt"

	"smsbot/broadcast"
)

// SkippedMembers returns up to limit members of a list that a broadcast
// would skip (opted out or flagged invalid), oldest contact first.
func (s *Store) SkippedMembers(ctx context.Context, t broadcast.Target, limit int) ([]broadcast.Contact, error) {
	var rows []contactRow
	group, args := groupFilter(t.Group, "id")
	err := s.db.NewSelect().Model(&rows).
		Where("id IN (SELECT contact_id FROM memberships WHERE list_id = ?)"+group, append([]any{t.ListID}, args...)...).
		Where("opted_out_at IS NOT NULL OR invalid_reason <> ''").
		Order("id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("read skipped members of list %d: %w", t.ListID, err)
	}
	out := make([]broadcast.Contact, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}
