package bot

import (
	"context"
	"fmt"
	"strings"

	"smsbot/broadcast"
)

// forgetCmd asks to confirm forgetting a contact: /sms forget <phone>.
// Nothing changes before the click.
func (r *Router) forgetCmd(ctx context.Context, _ Invocation, args string, _ Conversation) (Message, error) {
	raw, extra := splitPhone(args, r.cfg.Region)
	if raw == "" || extra != "" {
		return Message{}, usage("forget <phone>")
	}
	phone, err := broadcast.NormalizePhone(raw, r.cfg.Region)
	if err != nil {
		return Message{}, err
	}
	d, err := r.dir.ContactDetails(ctx, phone, 0)
	if err != nil {
		return Message{}, err
	}
	c := d.Contact
	on := "They are on no list"
	if len(d.Lists) > 0 {
		on = fmt.Sprintf("This takes them off %s (%s)", plural(len(d.Lists), "list"), strings.Join(d.Lists, ", "))
	}
	label := contactLabel(broadcast.Contact{Name: oneLine(c.Name, 64), Phone: c.Phone})
	return Message{
		Title: fmt.Sprintf("Forget %s?", label),
		Text: on + " and erases their number, name, fields and texts from smsbot; broadcast history keeps only counts. " +
			"Their opt-out goes too: if they are added again, they can be texted. Texts already shown in chat stay there. " +
			"Nothing changes until you click.",
		Buttons: []Button{
			{Label: "Forget " + c.Phone, Action: action("forget", c.ID), Style: Danger},
			{Label: "Cancel", Action: action("fkeep", c.ID)},
		},
	}, nil
}

// forgetClick forgets the contact after its confirmation button, and
// replaces the confirmation with an answer that no longer names them. A
// second click finds them forgotten and says so.
func (r *Router) forgetClick(ctx context.Context, c Click, id int64, conv Conversation) error {
	if err := r.access.change(c.User); err != nil {
		return err
	}
	f, err := r.dir.Forget(ctx, id, c.User)
	if err != nil {
		return err
	}
	r.log.Info("contact forgotten", "contact_id", id, "user", c.User)
	return conv.Update(ctx, c.Message, Message{
		Title: "Contact forgotten",
		Text: fmt.Sprintf("Forgotten by %s: taken off %s; %s erased.", c.User, plural(len(f.Lists), "list"),
			plural(f.Texts, "text")),
	})
}
