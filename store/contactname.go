package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// renameContact gives the contact c a new name inside the caller's
// transaction, and audits that it changed. The audit entry holds neither
// name: forgetting the contact later must leave nothing of it.
//
// Imported first_name, last_name and name columns were parts of the old
// name, so they go too: {{first_name}} then comes from the new name, and
// a renamed contact is not greeted by the old one.
func renameContact(ctx context.Context, tx bun.Tx, c *contactRow, name, actor string, now time.Time) error {
	fields := map[string]string{}
	if c.Fields != "" {
		if err := json.Unmarshal([]byte(c.Fields), &fields); err != nil {
			return fmt.Errorf("read contact %d's fields: %w", c.ID, err)
		}
	}
	for _, k := range []string{"name", "first_name", "last_name"} {
		delete(fields, k)
	}
	kept, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	c.Fields = string(kept)
	if _, err := tx.NewUpdate().Model((*contactRow)(nil)).Set("name = ?", name).Set("fields = ?", c.Fields).
		Where("id = ?", c.ID).Exec(ctx); err != nil {
		return err
	}
	return audit(ctx, tx, now, actor, "contact.rename", c.Phone, "")
}
