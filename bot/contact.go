package bot

import (
	"context"
	"fmt"
	"strings"

	"smsbot/broadcast"
)

// contactTexts is how many of a contact's newest texts /sms contact shows.
const contactTexts = 5

// contactBodyLen is how much of each text /sms contact shows.
const contactBodyLen = 200

// contactCmd shows one contact: /sms contact <phone>. Its lists, sender,
// opt-out and newest texts; what the contact wrote is clipped and quoted.
func (r *Router) contactCmd(ctx context.Context, _ Invocation, args string, _ Conversation) (Message, error) {
	raw, extra := splitPhone(args, r.cfg.Region)
	if raw == "" || extra != "" {
		return Message{}, usage("contact <phone>")
	}
	if list := listName(raw); !phoneWord(raw, false) && r.checkList(ctx, list) == nil {
		return Message{}, broadcast.Errorf(broadcast.EINVALID, "%s is a list, not a phone number: did you mean /sms list %s?", list, list)
	}
	phone, err := broadcast.NormalizePhone(raw, r.cfg.Region)
	if err != nil {
		return Message{}, err
	}
	d, err := r.dir.ContactDetails(ctx, phone, contactTexts)
	if err != nil {
		return Message{}, err
	}
	return Message{Title: contactLabel(broadcast.Contact{Name: oneLine(d.Contact.Name, 64), Phone: d.Contact.Phone}), Text: r.contactText(d)}, nil
}

func (r *Router) contactText(d broadcast.ContactDetails) string {
	c := d.Contact
	var lines []string
	if len(d.Lists) == 0 {
		lines = append(lines, "On no list.")
	} else {
		lines = append(lines, "Lists: "+strings.Join(d.Lists, ", "))
	}
	if d.Sender == "" {
		lines = append(lines, "Sender: none yet (one is chosen at its first text)")
	} else {
		lines = append(lines, "Sender: "+d.Sender)
	}
	switch {
	case c.OptedOutAt != nil:
		lines = append(lines, "Opted out "+c.OptedOutAt.In(r.cfg.Location).Format("Mon 2 Jan 2006 15:04")+": not texted by broadcasts")
	default:
		lines = append(lines, "Not opted out")
	}
	if c.InvalidReason != "" {
		lines = append(lines, "Invalid: "+oneLine(c.InvalidReason, 80)+" (not texted)")
	}
	if len(d.Texts) == 0 {
		lines = append(lines, "No texts yet.")
		return strings.Join(lines, "\n")
	}
	lines = append(lines, fmt.Sprintf("*Last %s:*", plural(len(d.Texts), "text")))
	for _, t := range d.Texts {
		lines = append(lines, r.textHeading(t), quote(clip(t.Body, contactBodyLen)))
	}
	return strings.Join(lines, "\n")
}

// textHeading says when a text went which way and how it ended.
func (r *Router) textHeading(t broadcast.Text) string {
	when := t.At.In(r.cfg.Location).Format("Mon 2 Jan 15:04")
	switch {
	case t.Direction == broadcast.Inbound:
		return when + " · from them"
	case t.BroadcastID != 0:
		return fmt.Sprintf("%s · to them, broadcast #%d · %s", when, t.BroadcastID, t.Status)
	}
	return fmt.Sprintf("%s · to them, staff reply · %s", when, t.Status)
}
