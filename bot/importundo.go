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
	text += keptLine(u)
	return reply(text + ". Contacts known before keep their names and fields; opted-out ones stay opted out."), nil
}

// keptLine says which contacts the import created stay, and why, as a
// clause with a leading "; ", or "".
func keptLine(u broadcast.ImportUndo) string {
	n := u.KeptOnLists + u.KeptOptedOut + u.KeptTexts
	if n == 0 {
		return ""
	}
	var why []string
	for _, k := range []struct {
		n          int
		one, other string
	}{
		{u.KeptTexts, "has texts", "have texts"},
		{u.KeptOnLists, "is on another list", "are on other lists"},
		{u.KeptOptedOut, "opted out, which is kept", "opted out, which is kept"},
	} {
		switch {
		case k.n == 0:
		case k.n == n && k.n == 1:
			why = append(why, "it "+k.one)
		case k.n == n:
			why = append(why, "they "+k.other)
		case k.n == 1:
			why = append(why, "1 "+k.one)
		default:
			why = append(why, fmt.Sprintf("%d %s", k.n, k.other))
		}
	}
	what := fmt.Sprintf("%d contacts it created stay", n)
	if n == 1 {
		what = "1 contact it created stays"
	}
	return "; " + what + ": " + strings.Join(why, ", ")
}
