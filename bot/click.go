package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"smsbot/broadcast"
)

// Click handles a button press: approve, cancel, pause or resume a
// broadcast. A press on a button whose moment has passed (a second
// Approve, a Cancel after the end) is answered with why, and changes
// nothing.
func (r *Router) Click(ctx context.Context, c Click, conv Conversation) {
	log := r.log.With("user", c.User, "action", c.Action)
	if err := r.click(ctx, c, conv); err != nil {
		if _, perr := conv.Post(ctx, r.errorMessage(log, err)); perr != nil {
			log.Error("posting answer failed", "err", Redact(perr))
		}
	}
}

func (r *Router) click(ctx context.Context, c Click, conv Conversation) error {
	verb, idText, _ := strings.Cut(c.Action, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return broadcast.Errorf(broadcast.EINVALID, "unknown button %q", c.Action)
	}
	switch verb {
	case "sapprove", "scancel", "snow", "sdrop":
		return r.scheduleClick(ctx, c, verb, id, conv)
	case "ldelete", "lkeep", "forget", "fkeep":
		return r.manageClick(ctx, c, verb, id, conv)
	case "pclose", "premind", "pexport":
		return r.pollClick(ctx, c, verb, id, conv)
	}
	cur, err := r.engine.Status(ctx, id)
	if err != nil {
		return err
	}
	b := cur.Broadcast
	switch verb {
	case "approve":
		if err := r.access.approve(c.User, b.RequestedBy); err != nil {
			return err
		}
		b, err = r.engine.Approve(ctx, id, c.User)
		if err != nil {
			return err
		}
		r.watch(id, c.Message, conv, broadcast.StatusPending)
		r.showTally(ctx, id, conv)
		return nil
	case "cancel":
		if c.User != b.RequestedBy {
			if err := r.access.change(c.User); err != nil {
				return err
			}
		}
		wasPending := b.Status == broadcast.StatusPending
		if b, err = r.engine.Cancel(ctx, id, c.User); err != nil {
			return err
		}
		if wasPending {
			return conv.Update(ctx, c.Message, Message{
				Title: fmt.Sprintf("Broadcast #%d to %s: cancelled", id, targetName(b)),
				Text:  fmt.Sprintf("%s\nCancelled by %s before anything was sent.", quote(b.Body), c.User),
			})
		}
		r.watch(id, c.Message, conv, "")
		return nil
	case "pause", "resume":
		if err := r.access.change(c.User); err != nil {
			return err
		}
		if b, err = r.act(ctx, verb, id, c.User); err != nil {
			return err
		}
		r.watch(id, c.Message, conv, "")
		_, err := conv.Post(ctx, reply(fmt.Sprintf("Broadcast #%d to %s: %s by %s.", id, targetName(b), pastTense(verb), c.User)))
		return err
	}
	return broadcast.Errorf(broadcast.EINVALID, "unknown button %q", c.Action)
}
