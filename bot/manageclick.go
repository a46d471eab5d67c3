package bot

import (
	"context"
	"fmt"
)

// manageClick handles the confirmation buttons of list and contact
// management: ldelete (delete a list) and forget (forget a contact), and
// their Cancel buttons, lkeep and fkeep, which replace the confirmation
// with what was kept. All are admin-only, and a second click finds the
// thing gone and says so.
func (r *Router) manageClick(ctx context.Context, c Click, verb string, id int64, conv Conversation) error {
	switch verb {
	case "forget":
		return r.forgetClick(ctx, c, id, conv)
	case "fkeep":
		if err := r.access.change(c.User); err != nil {
			return err
		}
		return conv.Update(ctx, c.Message, Message{Text: fmt.Sprintf("Nothing forgotten. Cancelled by %s.", c.User)})
	case "lkeep":
		return r.keepListClick(ctx, c, id, conv)
	}
	return r.deleteListClick(ctx, c, id, conv)
}

// keepListClick answers the Cancel of a list's delete confirmation.
func (r *Router) keepListClick(ctx context.Context, c Click, id int64, conv Conversation) error {
	if err := r.access.change(c.User); err != nil {
		return err
	}
	lists, err := r.dir.Lists(ctx)
	if err != nil {
		return err
	}
	name := "the list"
	for _, l := range lists {
		if l.ID == id {
			name = l.Name
		}
	}
	return conv.Update(ctx, c.Message, Message{Text: fmt.Sprintf("Kept %s. Cancelled by %s.", name, c.User)})
}
