package bot

import (
	"context"

	"smsbot/broadcast"
)

func (r *Router) forgetClick(ctx context.Context, c Click, id int64, conv Conversation) error {
	return broadcast.Errorf(broadcast.EINVALID, "unknown button %q", c.Action)
}
