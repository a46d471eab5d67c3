package inbound

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// SimInbox plays a contact texting in on the simulated carrier: the text
// goes through Receive like a webhook's, and the reply, if any, is
// delivered back as the carrier would deliver TwiML's <Message>.
type SimInbox struct {
	Service *Service
	// Route returns the number a contact's texts arrive at: its sticky sender.
	Route func(ctx context.Context, phone string) (string, error)
	// Deliver sends the reply from our number to the contact.
	Deliver func(ctx context.Context, from, to, body string) error
}

// SimulateText makes phone text body to its sticky sender.
func (s *SimInbox) SimulateText(ctx context.Context, phone, body string) error {
	_, err := s.SimulateTextReplied(ctx, phone, body)
	return err
}

// SimulateTextReplied is SimulateText, returning the reply delivered
// back (a poll's confirmation, HELP's answer, the auto-reply), if any.
func (s *SimInbox) SimulateTextReplied(ctx context.Context, phone, body string) (string, error) {
	to, err := s.Route(ctx, phone)
	if err != nil {
		return "", err
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	reply, err := s.Service.Receive(ctx, Text{SID: "SM" + hex.EncodeToString(b), From: phone, To: to, Body: body})
	if err != nil {
		return "", err
	}
	if reply != "" {
		if err := s.Deliver(ctx, to, phone, reply); err != nil {
			return "", fmt.Errorf("deliver reply: %w", err)
		}
	}
	return reply, nil
}
