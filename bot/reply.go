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
	return r.sendReply(ctx, inv.User, phone, body)
}

// sendReply texts body to the contact at phone (E.164) for user.
func (r *Router) sendReply(ctx context.Context, user, phone, body string) (Message, error) {
	d, err := r.engine.SendDirect(ctx, phone, body, user)
	if err != nil {
		return Message{}, err
	}
	r.log.Info("reply sent", "user", user, "contact_id", d.Contact.ID, "sender", d.Sender.Address)
	return reply(fmt.Sprintf("↩️ %s texted %s from %s:\n%s", user, contactLabel(d.Contact), d.Sender.Address, quote(body))), nil
}

// ThreadReply texts a staff member's message in a contact's staff thread
// (ref on platform) to that contact, with the access rules of /sms reply,
// and answers in conv. inv.Text is the message, sent as written: it goes
// to the thread's contact by its stored number and is never parsed as a
// command, so a reply starting with digits ("8 seats are left") is not
// read as part of the number. A thread that belongs to no contact is
// ignored: it is about something else.
func (r *Router) ThreadReply(ctx context.Context, platform, ref string, inv Invocation, conv Conversation) {
	c, err := r.dir.ContactByThread(ctx, platform, ref)
	if err != nil {
		if broadcast.ErrorCode(err) != broadcast.ENOTFOUND {
			r.log.Error("finding the contact of a thread failed", "platform", platform, "err", Redact(err))
		}
		return
	}
	log := r.log.With("user", inv.User, "command", "reply", "contact_id", c.ID)
	m, err := r.threadReply(ctx, inv, c)
	if err != nil {
		m = r.errorMessage(log, err)
	}
	if _, err := conv.Post(ctx, m); err != nil {
		log.Error("posting answer failed", "err", Redact(err))
	}
}

func (r *Router) threadReply(ctx context.Context, inv Invocation, c broadcast.Contact) (Message, error) {
	if err := r.access.change(inv.User); err != nil {
		return Message{}, err
	}
	body := strings.TrimSpace(inv.Text)
	if err := checkControl(body); err != nil {
		return Message{}, err
	}
	if body == "" {
		return Message{}, broadcast.Errorf(broadcast.EINVALID, "there is no text to send to %s; write it in the thread", contactLabel(c))
	}
	return r.sendReply(ctx, inv.User, c.Phone, body)
}

// simCmd drives the simulated carrier: /sms sim reply <phone> <message>,
// and /sms sim failures [<setting>|off] (simfail.go).
func (r *Router) simCmd(ctx context.Context, inv Invocation, args string, _ Conversation) (Message, error) {
	sub, rest := cut(args)
	switch strings.ToLower(sub) {
	case "reply":
	case "failures":
		return r.simFailuresCmd(ctx, inv.User, rest)
	default:
		return Message{}, unknown("subcommand of sim", sub, []string{"reply", "failures"})
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
	sr, ok := r.cfg.Simulator.(SimReplier)
	if !ok {
		return Message{}, r.cfg.Simulator.SimulateText(ctx, phone, body) // the relay shows the text
	}
	answer, err := sr.SimulateTextReplied(ctx, phone, body)
	if err != nil || answer == "" {
		return Message{}, err // the relay, if any, shows the text
	}
	return ephemeral(fmt.Sprintf("↩ smsbot texted %s back: %s", phone, oneLine(answer, 300))), nil
}
