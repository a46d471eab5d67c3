package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// renameContact gives the contact c a new name inside the caller's
// transaction, and audits that it changed. The audit entry holds neither
// name: forgetting the contact later must leave nothing of it.
func renameContact(ctx context.Context, tx bun.Tx, c *contactRow, name, actor string, now time.Time) error {
	if _, err := tx.NewUpdate().Model((*contactRow)(nil)).Set("name = ?", name).Where("id = ?", c.ID).Exec(ctx); err != nil {
		return err
	}
	return audit(ctx, tx, now, actor, "contact.rename", c.Phone, "")
}
