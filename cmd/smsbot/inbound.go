package main

import (
	"context"
	"fmt"
	"sync"

	"smsbot/broadcast"
	"smsbot/inbound"
)

// startInbound starts handling texts from contacts, relayed to staff (nil:
// stored only). On the simulated carrier they come from /sms sim reply;
// with Twilio, from webhooks when SMSBOT_PUBLIC_URL is set (the caller
// mounts a.webhooks), and otherwise from polling. The relay retry loop
// (inbound.Service.Run, which first relays the texts left from before a
// restart) and the poller run until ctx ends or a.stopInbound is called,
// which waits for both to return: app.close calls it before it closes
// the engine and the store they use.
func (m *Main) startInbound(ctx context.Context, a *app, staff inbound.Staff) error {
	c := m.Config
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	a.stopInbound = func() {
		cancel()
		wg.Wait()
	}
	goRun := func(run func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(ctx) // both return nil once ctx ends, and only then
		}()
	}
	ic := inbound.Config{
		Store: a.store, Staff: staff, AutoReply: c.AutoReply, AutoReplyEvery: c.AutoReplyEvery,
		HelpReply: c.HelpReply, Logger: a.log,
	}
	if a.twilio != nil {
		ic.Media = a.twilio // MMS files shown to staff, fetched with the account's credentials
	}
	var err error
	a.inbox, err = inbound.New(ic)
	if err != nil {
		return err
	}
	goRun(a.inbox.Run)
	switch {
	case a.simInbox != nil:
		a.simInbox.Service = a.inbox
		a.simWired.ready.Store(a.inbox) // receipts and STOP replies flow from now on
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
		a.log.Info("no SMSBOT_PUBLIC_URL: polling Twilio for incoming texts and delivery statuses, on the replica holding the poller lease", "every", c.PollEvery)
		goRun(func(ctx context.Context) error { return a.holdPoller(ctx, poller.Run) })
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
