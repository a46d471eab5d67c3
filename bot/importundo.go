package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"smsbot/broadcast"
)

// importUndoWindow is how long after an import /sms import undo takes it
// back.
const importUndoWindow = 24 * time.Hour

// importOrUndo is /sms import: "import undo <x>" always undoes the last
// import into the list x (when x is a file name, the answer says how to
// import it instead); anything else is an import. No list may be called
// undo, so the two never meet.
func (r *Router) importOrUndo(ctx context.Context, inv Invocation, args string, conv Conversation) (Message, error) {
	word, rest := cut(args)
	if !strings.EqualFold(word, "undo") {
		return r.importCmd(ctx, inv, args, conv)
	}
	w := words(rest)
	if len(w) != 1 {
		return Message{}, usage("import undo <list>")
	}
	list := listName(w[0])
	if err := r.checkList(ctx, list); err != nil {
		if looksLikeFile(list) && broadcast.ErrorCode(err) == broadcast.ENOTFOUND {
			return Message{}, broadcast.Errorf(broadcast.ENOTFOUND,
				"there is no list named %s, and import undo takes a list; to import the file %s into a list, write /sms import <list> %s",
				list, list, quoteArg(list))
		}
		return Message{}, err
	}
	u, err := r.dir.UndoImport(ctx, list, inv.User, importUndoWindow)
	if err != nil {
		return Message{}, err
	}
	text := fmt.Sprintf("Undid the import into %s of %s by %s: %s taken off the list",
		u.List, u.At.In(r.cfg.Location).Format("Mon 2 Jan 15:04"), u.Actor, plural(u.Removed, "contact"))
	if u.Deleted > 0 {
		text += fmt.Sprintf(", of which the %d it had created and that are on no other list were deleted", u.Deleted)
	}
	return reply(text + ". Contacts known before keep their names and fields; opted-out ones stay opted out."), nil
}
