package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"smsbot/broadcast"
)

// membersPerPage is how many members /sms list shows at once.
const membersPerPage = 20

// ValidListName checks a list name as chat commands address it: 1 to 64
// letters, digits, - _ and . (so a name never needs quotes), and not undo
// (import undo <list> uses the word). Chat and
// smsbot import -list both check names with it.
func ValidListName(name string) error { return validListName(name) }

// listCmd shows a list's members: /sms list <name> [page].
func (r *Router) listCmd(ctx context.Context, _ Invocation, args string, _ Conversation) (Message, error) {
	w := words(args)
	if len(w) == 0 {
		return Message{}, usage("list <list> [page]")
	}
	name := listName(w[0])
	if err := r.checkListOrPhone(ctx, name, args, "contact", false); err != nil {
		return Message{}, err
	}
	if len(w) > 2 {
		return Message{}, usage("list <list> [page]")
	}
	page := 1
	if len(w) == 2 {
		n, err := strconv.Atoi(strings.TrimPrefix(w[1], "#"))
		if err != nil || n < 1 {
			return Message{}, broadcast.Errorf(broadcast.EINVALID, "%q is not a page number; write /sms list %s 2 for the second page", w[1], name)
		}
		page = n
	}
	l, members, err := r.dir.Members(ctx, name, (page-1)*membersPerPage, membersPerPage)
	if err != nil {
		return Message{}, err
	}
	pages := max(1, (l.Members+membersPerPage-1)/membersPerPage)
	if l.Members == 0 {
		return reply(fmt.Sprintf("%s has no members. `/sms add %s <phone> [name]` adds one.", l.Name, l.Name)), nil
	}
	if page > pages {
		return Message{}, broadcast.Errorf(broadcast.EINVALID, "%s has %s on %s; page %d is empty", l.Name, plural(l.Members, "member"), plural(pages, "page"), page)
	}
	lines := make([]string, 0, len(members)+1)
	for _, m := range members {
		lines = append(lines, memberLine(m))
	}
	if page < pages {
		lines = append(lines, fmt.Sprintf("Page %d of %d: `/sms list %s %d` shows the next.", page, pages, l.Name, page+1))
	} else if pages > 1 {
		lines = append(lines, fmt.Sprintf("Page %d of %d.", page, pages))
	}
	return Message{Title: fmt.Sprintf("%s · %s", l.Name, plural(l.Members, "member")), Text: strings.Join(lines, "\n")}, nil
}

// membersCmd is /sms members: a synonym of list <name>, and of lists
// without a name.
func (r *Router) membersCmd(ctx context.Context, inv Invocation, args string, conv Conversation) (Message, error) {
	if strings.TrimSpace(args) == "" {
		return r.lists(ctx, inv, args, conv)
	}
	return r.listCmd(ctx, inv, args, conv)
}

// memberLine is one member as /sms list shows it: name, phone, sender and
// status.
func memberLine(m broadcast.Member) string {
	parts := []string{oneLine(m.Name, 64), m.Phone}
	if m.Name == "" {
		parts = parts[1:]
	}
	if m.Sender != "" {
		parts = append(parts, "from "+m.Sender)
	} else {
		parts = append(parts, "no sender yet")
	}
	parts = append(parts, contactStatus(m.Contact)...)
	return strings.Join(parts, " · ")
}

// contactStatus names why a contact is not texted: opted out, invalid.
func contactStatus(c broadcast.Contact) []string {
	var s []string
	if c.OptedOutAt != nil {
		s = append(s, "opted out")
	}
	if c.InvalidReason != "" {
		s = append(s, "invalid ("+oneLine(c.InvalidReason, 80)+")")
	}
	return s
}

// oneLine clips attendee text to max and keeps it on one line.
func oneLine(s string, max int) string {
	return clip(strings.Join(strings.Fields(s), " "), max)
}

// listsCmd is /sms lists, with its subcommands rename and delete.
func (r *Router) listsCmd(ctx context.Context, inv Invocation, args string, conv Conversation) (Message, error) {
	sub, rest := cut(args)
	switch strings.ToLower(sub) {
	case "":
		return r.lists(ctx, inv, args, conv)
	case "rename":
		if err := r.access.change(inv.User); err != nil {
			return Message{}, err
		}
		return r.renameList(ctx, inv, rest)
	case "delete", "remove", "rm", "del":
		if err := r.access.change(inv.User); err != nil {
			return Message{}, err
		}
		return r.deleteList(ctx, rest)
	}
	return Message{}, r.unknownListsSub(ctx, sub)
}

func (r *Router) renameList(ctx context.Context, inv Invocation, args string) (Message, error) {
	w := words(args)
	if len(w) != 2 {
		return Message{}, usage("lists rename <old> <new>")
	}
	old, name := listName(w[0]), listName(w[1])
	if err := r.checkList(ctx, old); err != nil {
		return Message{}, err
	}
	if old == name {
		return reply(fmt.Sprintf("%s is already called %s.", old, name)), nil
	}
	if err := validListName(name); err != nil {
		return Message{}, err
	}
	l, err := r.dir.RenameList(ctx, old, name, inv.User)
	if err != nil {
		return Message{}, err
	}
	return reply(fmt.Sprintf("Renamed list %s to %s.", old, l.Name)), nil
}

func (r *Router) deleteList(ctx context.Context, args string) (Message, error) {
	w := words(args)
	if len(w) != 1 {
		return Message{}, usage("lists delete <list>")
	}
	name := listName(w[0])
	if err := r.checkList(ctx, name); err != nil {
		return Message{}, err
	}
	l, err := r.dir.ListByName(ctx, name)
	if err != nil {
		return Message{}, err
	}
	d, err := r.dir.CheckDeleteList(ctx, l.ID)
	if err != nil {
		return Message{}, err
	}
	return Message{
		Title: fmt.Sprintf("Delete list %s?", l.Name),
		Text: fmt.Sprintf("%s Deleting the list takes them off it; the contacts themselves stay, with their opt-outs and other lists.%s Nothing changes until you click.",
			membersLine(l), goesWith(d, "go")),
		Buttons: []Button{
			{Label: "Delete " + l.Name, Action: action("ldelete", l.ID), Style: Danger},
			{Label: "Cancel", Action: action("lkeep", l.ID)},
		},
	}, nil
}

// membersLine says how many members a list has.
func membersLine(l broadcast.List) string {
	if l.Members == 0 {
		return l.Name + " has no members."
	}
	return fmt.Sprintf("%s has %s.", l.Name, plural(l.Members, "member"))
}

// goesWith names the unsent broadcasts and the schedules that go with a
// deleted list, as a sentence with a leading space, or "". verb is "go"
// or "went".
func goesWith(d broadcast.ListDeletion, verb string) string {
	var parts []string
	if n := len(d.Broadcasts); n > 0 {
		parts = append(parts, fmt.Sprintf("%s %s, which sent nothing", pluralWord(n, "broadcast"), idList(d.Broadcasts)))
	}
	if n := len(d.Schedules); n > 0 {
		parts = append(parts, fmt.Sprintf("%s %s, never approved or over", pluralWord(n, "schedule"), idList(d.Schedules)))
	}
	if len(parts) == 0 {
		return ""
	}
	if verb == "go" && len(d.Broadcasts)+len(d.Schedules) == 1 {
		verb = "goes"
	}
	return " " + capitalize(strings.Join(parts, "; ")) + ", " + verb + " with it."
}

// pluralWord is word, with an s for n other than 1.
func pluralWord(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// idList writes ids as "#1, #2 and #3", up to five and "n more".
func idList(ids []int64) string {
	var s []string
	for i, id := range ids {
		if i == 5 {
			s = append(s, fmt.Sprintf("%d more", len(ids)-5))
			break
		}
		s = append(s, fmt.Sprintf("#%d", id))
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// deleteListClick deletes the list after its confirmation button. A second
// click finds it gone and says so.
func (r *Router) deleteListClick(ctx context.Context, c Click, id int64, conv Conversation) error {
	if err := r.access.change(c.User); err != nil {
		return err
	}
	d, err := r.dir.DeleteList(ctx, id, c.User)
	if err != nil {
		return err
	}
	l := d.List
	kept := "It had no members."
	switch l.Members {
	case 0:
	case 1:
		kept = "Its 1 member stays as a contact."
	default:
		kept = fmt.Sprintf("Its %d members stay as contacts.", l.Members)
	}
	return conv.Update(ctx, c.Message, Message{
		Title: fmt.Sprintf("List %s deleted", l.Name),
		Text:  fmt.Sprintf("Deleted by %s. %s%s", c.User, kept, goesWith(d, "went")),
	})
}
