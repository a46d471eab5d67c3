package bot

import "context"

// manageClick handles the confirmation buttons of list and contact
// management: ldelete (delete a list) and forget (forget a contact). Both
// are admin-only, and a second click finds the thing gone and says so.
func (r *Router) manageClick(ctx context.Context, c Click, verb string, id int64, conv Conversation) error {
	if verb == "forget" {
		return r.forgetClick(ctx, c, id, conv)
	}
	return r.deleteListClick(ctx, c, id, conv)
}
