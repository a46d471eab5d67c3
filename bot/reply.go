package bot

import (
	"context"
	"fmt"
	"strings"

	"smsbot/broadcast"
)

// replyCmd texts one contact: /sms reply <phone> <message>.
func (r *Router) replyCmd(ctx context.Context, inv Invocation, args string, _ Conversation) (Message, error) {
	raw, body := splitPhone(args, r.cfg.Region)
	if raw == "" || strings.TrimSpace(body) == "" {
		return Message{}, usage("reply <phone> <message>")
	}
	phone, err := broadcast.NormalizePhone(raw, r.cfg.Region)
	if err != nil {
		return Message{}, err
	}
	d, err := r.engine.SendDirect(ctx, phone, body, inv.User)
	if err != nil {
		return Message{}, err
	}
	r.log.Info("reply sent", "user", inv.User, "contact_id", d.Contact.ID, "sender", d.Sender.Address)
	return reply(fmt.Sprintf("↩️ %s texted %s from %s:\n%s", inv.User, contactLabel(d.Contact), d.Sender.Address, quote(body))), nil
}

// ThreadReply texts a staff member's message in a contact's staff thread
// (ref on platform) to that contact, through /sms reply so the same access
// rules apply, and answers in conv. inv.Text is the message. A thread that
// belongs to no contact is ignored: it is about something else.
func (r *Router) ThreadReply(ctx context.Context, platform, ref string, inv Invocation, conv Conversation) {
	c, err := r.dir.ContactByThread(ctx, platform, ref)
	if err != nil {
		if broadcast.ErrorCode(err) != broadcast.ENOTFOUND {
			r.log.Error("finding the contact of a thread failed", "platform", platform, "err", err)
		}
		return
	}
	inv.Text = "reply " + c.Phone + " " + inv.Text
	r.Command(ctx, inv, conv)
}

// simCmd drives the simulated carrier: /sms sim reply <phone> <message>.
func (r *Router) simCmd(ctx context.Context, _ Invocation, args string, _ Conversation) (Message, error) {
	sub, rest := cut(args)
	if strings.ToLower(sub) != "reply" {
		return Message{}, unknown("subcommand of sim", sub, []string{"reply"})
	}
	if r.cfg.Simulator == nil {
		return Message{}, broadcast.Errorf(broadcast.EINVALID, "/sms sim only works on the simulated carrier (without TWILIO_ACCOUNT_SID)")
	}
	raw, body := splitPhone(rest, r.cfg.Region)
	if raw == "" || strings.TrimSpace(body) == "" {
		return Message{}, usage("sim reply <phone> <message>")
	}
	phone, err := broadcast.NormalizePhone(raw, r.cfg.Region)
	if err != nil {
		return Message{}, err
	}
	if err := r.cfg.Simulator.SimulateText(ctx, phone, body); err != nil {
		return Message{}, err
	}
	return Message{}, nil // the relay shows the text
}
