package bot

import (
	"context"
	"fmt"
	"strings"

	"smsbot/broadcast"
)

func (r *Router) numbers(ctx context.Context, inv Invocation, args string, _ Conversation) (Message, error) {
	sub, rest := cut(args)
	switch strings.ToLower(sub) {
	case "":
		return r.listNumbers(ctx)
	case "add":
		if err := r.access.change(inv.User); err != nil {
			return Message{}, err
		}
		addr, rateWord := r.senderAddress(rest)
		if addr == "" || len(words(rateWord)) > 1 {
			return Message{}, usage("numbers add <phone|MG-SID> [segments-per-second]")
		}
		rate := r.cfg.DefaultRate
		if rateWord != "" {
			var err error
			if rate, err = broadcast.ParseRate(rateWord); err != nil {
				return Message{}, err
			}
		}
		inUse, err := r.senderInUse(ctx, addr)
		if err != nil {
			return Message{}, err
		}
		s, _, err := r.engine.AddSender(ctx, addr, rate, inv.User)
		if err != nil {
			return Message{}, err
		}
		verb := "Added" // a number removed before is added again
		if inUse {
			verb = "Updated"
		}
		return reply(fmt.Sprintf("%s %s at %s. Contacts already on other numbers stay there.", verb, s.Address, fmtSegmentRate(s.Rate))), nil
	case "remove":
		if err := r.access.change(inv.User); err != nil {
			return Message{}, err
		}
		addr, extra := r.senderAddress(rest)
		if addr == "" || extra != "" {
			return Message{}, usage("numbers remove <phone|MG-SID>")
		}
		moved, err := r.engine.RemoveSender(ctx, addr, inv.User)
		if err != nil {
			return Message{}, err
		}
		return r.removedSender(ctx, addr, moved)
	}
	return Message{}, unknown("subcommand of numbers", sub, []string{"add", "remove"})
}

// senderInUse reports whether addr is one of the numbers texts are sent
// from now (a removed one is not).
func (r *Router) senderInUse(ctx context.Context, addr string) (bool, error) {
	senders, err := r.engine.Senders(ctx)
	if err != nil {
		return false, err
	}
	for _, s := range senders {
		if s.Address == addr && s.Enabled {
			return true, nil
		}
	}
	return false, nil
}

func (r *Router) listNumbers(ctx context.Context) (Message, error) {
	senders, err := r.engine.Senders(ctx)
	if err != nil {
		return Message{}, err
	}
	var lines []string
	for _, s := range senders {
		if s.Enabled {
			lines = append(lines, fmt.Sprintf("%s · %s", s.Address, fmtSegmentRate(s.Rate)))
		}
	}
	if len(lines) == 0 {
		return reply("No sending numbers yet. Add one with `/sms numbers add <phone|MG-SID> [segments/s]`."), nil
	}
	return Message{Title: "Sending numbers", Text: strings.Join(lines, "\n")}, nil
}

func (r *Router) lists(ctx context.Context, _ Invocation, _ string, _ Conversation) (Message, error) {
	lists, err := r.dir.Lists(ctx)
	if err != nil {
		return Message{}, err
	}
	if len(lists) == 0 {
		return reply("No lists yet. `/sms add <list> <phone> [name]` creates one."), nil
	}
	var lines []string
	for _, l := range lists {
		lines = append(lines, fmt.Sprintf("%s · %s", l.Name, plural(l.Members, "contact")))
	}
	return Message{Title: "Lists", Text: strings.Join(lines, "\n")}, nil
}

func (r *Router) add(ctx context.Context, inv Invocation, args string, _ Conversation) (Message, error) {
	if list, phone, name, ok := phoneFirst(args, r.cfg.Region); ok {
		typed, _ := splitPhone(args, r.cfg.Region)
		return Message{}, swapped("a phone number", typed, "add", list, phone, name)
	}
	list, rest := cutArg(args)
	raw, name := splitPhone(rest, r.cfg.Region)
	if list == "" || raw == "" {
		return Message{}, usage("add <list> <phone> [name…]")
	}
	if err := validListName(list); err != nil {
		return Message{}, err
	}
	phone, err := broadcast.NormalizePhone(raw, r.cfg.Region)
	if err != nil {
		return Message{}, err
	}
	hint, err := r.newListHint(ctx, list, phone, name)
	if err != nil {
		return Message{}, err
	}
	res, err := r.dir.AddMember(ctx, list, phone, name, inv.User)
	if err != nil {
		return Message{}, err
	}
	var notes []string
	if res.ListCreated {
		notes = append(notes, fmt.Sprintf("created list %s%s", res.List.Name, hint))
	}
	switch {
	case !res.Added:
		notes = append(notes, fmt.Sprintf("%s was already on %s", phone, res.List.Name))
	default:
		notes = append(notes, fmt.Sprintf("added %s to %s", contactLabel(res.Contact), res.List.Name))
	}
	if res.Renamed {
		notes = append(notes, fmt.Sprintf("updated %s's name (was %s)", oneLine(res.Contact.Name, 64), oneLine(res.PreviousName, 64)))
	}
	if res.Contact.OptedOutAt != nil {
		notes = append(notes, "they have opted out and will not be texted")
	}
	return reply(capitalize(strings.Join(notes, "; ")) + "."), nil
}

func (r *Router) remove(ctx context.Context, inv Invocation, args string, _ Conversation) (Message, error) {
	if list, phone, _, ok := phoneFirst(args, r.cfg.Region); ok {
		typed, _ := splitPhone(args, r.cfg.Region)
		return Message{}, swapped("a phone number", typed, "remove", list, phone)
	}
	list, rest := cutArg(args)
	raw, extra := splitPhone(rest, r.cfg.Region)
	if list == "" || raw == "" || extra != "" {
		return Message{}, usage("remove <list> <phone>")
	}
	phone, err := broadcast.NormalizePhone(raw, r.cfg.Region)
	if err != nil {
		return Message{}, err
	}
	if err := r.checkList(ctx, list); err != nil {
		return Message{}, err
	}
	if err := r.dir.RemoveMember(ctx, list, phone, inv.User); err != nil {
		return Message{}, err
	}
	return reply(fmt.Sprintf("Removed %s from %s.", phone, list)), nil
}

func (r *Router) send(ctx context.Context, inv Invocation, args string, _ Conversation) (Message, error) {
	list, body := cutArg(args)
	if list == "" {
		return Message{}, usage("send <list> <message>")
	}
	if g, ok, err := parseGroup(list); ok {
		if err != nil {
			return Message{}, err
		}
		return r.sendGroup(ctx, inv, g, body)
	}
	if err := r.checkListOrPhone(ctx, list, args, "reply", true); err != nil {
		return Message{}, err
	}
	p, err := r.engine.Prepare(ctx, broadcast.Draft{List: list, Body: body, RequestedBy: inv.User})
	if err != nil {
		return Message{}, err
	}
	r.log.Info("broadcast requested", "broadcast_id", p.Broadcast.ID, "user", inv.User, "recipients", p.Recipients())
	return r.previewMessage(p), nil
}

func (r *Router) status(ctx context.Context, _ Invocation, args string, _ Conversation) (Message, error) {
	w := words(args)
	if len(w) > 1 {
		return Message{}, usage("status [id]")
	}
	if len(w) == 1 {
		id, err := parseID(w[0])
		if err != nil {
			return Message{}, err
		}
		p, err := r.engine.Status(ctx, id)
		if err != nil {
			return Message{}, err
		}
		return r.progressMessage(ctx, p), nil
	}
	recent, err := r.engine.Recent(ctx, 5)
	if err != nil {
		return Message{}, err
	}
	if len(recent) == 0 {
		return reply("No broadcasts yet. `/sms send <list> <message>` starts one."), nil
	}
	var lines []string
	for _, p := range recent {
		lines = append(lines, statusLine(p))
	}
	return Message{Title: "Recent broadcasts", Text: strings.Join(lines, "\n")}, nil
}

// control runs pause, resume or cancel on the broadcast named in args.
func (r *Router) control(ctx context.Context, inv Invocation, args, verb string) (Message, error) {
	w := words(args)
	if len(w) != 1 {
		return Message{}, usage(verb + " <id>")
	}
	id, err := parseID(w[0])
	if err != nil {
		return Message{}, err
	}
	b, err := r.act(ctx, verb, id, inv.User)
	if err != nil {
		return Message{}, err
	}
	return reply(fmt.Sprintf("Broadcast #%d to %s: %s by %s.", b.ID, targetName(b), pastTense(verb), inv.User)), nil
}

// act applies a control verb to a broadcast.
func (r *Router) act(ctx context.Context, verb string, id int64, user string) (broadcast.Broadcast, error) {
	switch verb {
	case "pause":
		return r.engine.Pause(ctx, id, user)
	case "resume":
		return r.engine.Resume(ctx, id, user)
	case "cancel":
		return r.engine.Cancel(ctx, id, user)
	}
	return broadcast.Broadcast{}, fmt.Errorf("unknown verb %q", verb)
}

func (r *Router) cancelCmd(ctx context.Context, inv Invocation, args string, _ Conversation) (Message, error) {
	return r.control(ctx, inv, args, "cancel")
}

func (r *Router) pauseCmd(ctx context.Context, inv Invocation, args string, _ Conversation) (Message, error) {
	return r.control(ctx, inv, args, "pause")
}

func (r *Router) resumeCmd(ctx context.Context, inv Invocation, args string, _ Conversation) (Message, error) {
	return r.control(ctx, inv, args, "resume")
}

// removedSender says what removing a number did: where its contacts went,
// or, when it was the last one, what waits for the next number.
func (r *Router) removedSender(ctx context.Context, addr string, moved int) (Message, error) {
	senders, err := r.engine.Senders(ctx)
	if err != nil {
		return Message{}, err
	}
	left := 0
	for _, s := range senders {
		if s.Enabled {
			left++
		}
	}
	switch {
	case left == 0:
		return reply(fmt.Sprintf("Removed %s. It was the last sending number: broadcasts being sent are paused and new ones cannot start "+
			"until you add a number with `/sms numbers add <phone|MG-SID> [segments/s]`; its contacts move to that number, "+
			"and `/sms resume <id>` continues a paused broadcast.", addr)), nil
	case moved == 0:
		return reply(fmt.Sprintf("Removed %s. It had no contacts, so none moved.", addr)), nil
	case moved == 1:
		return reply(fmt.Sprintf("Removed %s. Its 1 contact moved to the remaining numbers for good.", addr)), nil
	}
	return reply(fmt.Sprintf("Removed %s. Its %d contacts moved to the remaining numbers for good.", addr, moved)), nil
}
