package main

import (
	"context"
	"fmt"

	"smsbot/broadcast"
	"smsbot/inbound"
)

// startInbound starts handling texts from contacts, relayed to staff (nil:
// stored only). On the simulated carrier they come from /sms sim reply;
// with Twilio, from webhooks when SMSBOT_PUBLIC_URL is set (the caller
// mounts a.webhooks), and otherwise from polling, which runs until ctx ends.
func (m *Main) startInbound(ctx context.Context, a *app, staff inbound.Staff) error {
	c := m.Config
	var err error
	a.inbox, err = inbound.New(inbound.Config{
		Store: a.store, Staff: staff, AutoReply: c.AutoReply, AutoReplyEvery: c.AutoReplyEvery,
		HelpReply: c.HelpReply, Logger: a.log,
	})
	if err != nil {
		return err
	}
	if err := a.inbox.RelayPending(ctx); err != nil {
		a.log.Warn("relaying stored texts failed", "err", err)
	}
	switch {
	case a.simInbox != nil:
		a.simInbox.Service = a.inbox
	case c.PublicURL != "":
		a.webhooks = inbound.NewWebhooks(a.inbox, c.TwilioToken, c.PublicURL)
	default:
		poller, err := inbound.NewPoller(inbound.PollConfig{
			Source: a.twilio, Service: a.inbox, Store: a.store, Senders: a.engine.Senders,
			Reply: func(ctx context.Context, phone, body string) error {
				_, err := a.engine.SendDirect(ctx, phone, body, "auto-reply")
				return err
			},
			Every: c.PollEvery, Logger: a.log,
		})
		if err != nil {
			return err
		}
		a.log.Info("no SMSBOT_PUBLIC_URL: polling Twilio for incoming texts and delivery statuses", "every", c.PollEvery)
		go poller.Run(ctx)
	}
	return nil
}

// newSimInbox lets /sms sim reply play a contact texting in: to the
// contact's sticky sender (or the first number, for a stranger), with the
// reply delivered by the simulated carrier.
func (a *app) newSimInbox() *inbound.SimInbox {
	return &inbound.SimInbox{
		Route: func(ctx context.Context, phone string) (string, error) {
			_, s, err := a.engine.StickySender(ctx, phone)
			if broadcast.ErrorCode(err) != broadcast.ENOTFOUND {
				return s.Address, err
			}
			senders, err := a.engine.Senders(ctx)
			if err != nil {
				return "", err
			}
			for _, s := range senders {
				if s.Enabled {
					return s.Address, nil
				}
			}
			return "", broadcast.Errorf(broadcast.EINVALID, "there is no number to text: add one with /sms numbers add")
		},
		Deliver: func(ctx context.Context, from, to, body string) error {
			_, err := a.sim.Send(ctx, broadcast.Outgoing{From: broadcast.Sender{Address: from}, To: to, Body: body})
			if err != nil {
				return fmt.Errorf("simulated reply: %w", err)
			}
			return nil
		},
	}
}
