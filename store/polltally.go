package store

import (
	"context"
	"fmt"
	"time"

	"smsbot/broadcast"
)

// Tally counts poll id's answers and recipients.
func (s *Store) Tally(ctx context.Context, id int64) (broadcast.Tally, error) {
	p, err := s.Poll(ctx, id)
	if err != nil {
		return broadcast.Tally{}, err
	}
	t := broadcast.Tally{Poll: p, Counts: make([]int, len(p.Question.Options))}
	var rows []struct {
		Option int `bun:"option_no"`
		N      int `bun:"n"`
	}
	if err := s.db.NewRaw(`SELECT option_no, COUNT(*) AS n FROM poll_answers WHERE poll_id = ? GROUP BY option_no`, id).Scan(ctx, &rows); err != nil {
		return t, fmt.Errorf("tally poll #%d: %w", id, err)
	}
	for _, r := range rows {
		if r.Option >= 1 && r.Option <= len(t.Counts) {
			t.Counts[r.Option-1] += r.N
			t.Answered += r.N
		}
	}
	var agg struct {
		Recipients int        `bun:"recipients"`
		Answered   int        `bun:"answered"`
		Changed    *time.Time `bun:"changed"`
	}
	err = s.db.NewRaw(`SELECT
			(SELECT COUNT(*) FROM messages WHERE broadcast_id = ? AND status IN `+pollRecipient+`) AS recipients,
			(SELECT COUNT(*) FROM poll_answers pa JOIN messages m ON m.broadcast_id = pa.poll_id AND m.contact_id = pa.contact_id
				WHERE pa.poll_id = ? AND m.status IN `+pollRecipient+`) AS answered,
			(SELECT MAX(last_at) FROM poll_answers WHERE poll_id = ?) AS changed`, id, id, id).Scan(ctx, &agg)
	if err != nil {
		return t, fmt.Errorf("tally poll #%d: %w", id, err)
	}
	t.Recipients, t.Unanswered = agg.Recipients, max(0, agg.Recipients-agg.Answered)
	if agg.Changed != nil {
		t.Changed = agg.Changed.UTC()
	}
	return t, nil
}

// PollAnswers calls fn for each recipient of poll id (its outbox rows
// that were sent, in contact order) and each other contact who answered,
// with their answer if any.
func (s *Store) PollAnswers(ctx context.Context, id int64, fn func(broadcast.PollAnswer) error) error {
	if _, err := s.Poll(ctx, id); err != nil {
		return err
	}
	after := int64(0)
	for {
		var page []struct {
			contactRow `bun:",extend"`
			Option     *int       `bun:"option_no"`
			Raw        *string    `bun:"raw"`
			AnsweredAt *time.Time `bun:"answered_at"`
			FirstAt    *time.Time `bun:"first_at"`
			SentAt     *time.Time `bun:"sent_at"`
		}
		err := s.db.NewRaw(`SELECT c.*, pa.option_no, pa.raw, pa.answered_at, pa.first_at, m.sent_at
			FROM contacts c
			LEFT JOIN messages m ON m.broadcast_id = ? AND m.contact_id = c.id
			LEFT JOIN poll_answers pa ON pa.poll_id = ? AND pa.contact_id = c.id
			WHERE c.id > ? AND (m.status IN `+pollRecipient+` OR pa.contact_id IS NOT NULL)
			ORDER BY c.id LIMIT 1000`, id, id, after).Scan(ctx, &page)
		if err != nil {
			return fmt.Errorf("read answers to poll #%d: %w", id, err)
		}
		if len(page) == 0 {
			return nil
		}
		for _, r := range page {
			a := broadcast.PollAnswer{Contact: r.contactRow.domain(), AnsweredAt: utc(r.AnsweredAt), FirstAt: utc(r.FirstAt), SentAt: utc(r.SentAt)}
			if r.Option != nil {
				a.Option = *r.Option
			}
			if r.Raw != nil {
				a.Raw = *r.Raw
			}
			if err := fn(a); err != nil {
				return err
			}
		}
		after = page[len(page)-1].ID
	}
}
