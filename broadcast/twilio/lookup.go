package twilio

import (
	"context"
	"time"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"smsbot/broadcast"
)

// lookupLimit caps how many messages one lookup reads.
const lookupLimit = 1000

// Lookup lists the messages from sender to to created since since. It asks
// Twilio twice: with a DateSent filter (which Twilio applies by whole UTC
// day), and for the newest page without one, because a message still in
// Twilio's queue has no date_sent yet. Each page request takes a slot of
// Config.Gate with ctx (none when ctx holds one already).
func (p *Provider) Lookup(ctx context.Context, from broadcast.Sender, to string, since time.Time) ([]broadcast.Sent, error) {
	params := p.listParams(from, to)
	params.SetDateSentAfter(since.UTC())
	params.SetPageSize(100)
	dated, err := p.list(ctx, params, lookupLimit)
	if err != nil {
		return nil, err
	}
	newest, err := p.page(ctx, p.listParams(from, to).SetPageSize(50), "", "")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []broadcast.Sent
	for _, m := range append(dated, newest.Messages...) {
		s, ok := sent(m, from)
		if !ok || seen[s.SID] || s.Created.Before(since) {
			continue
		}
		seen[s.SID] = true
		out = append(out, s)
	}
	return out, nil
}

func (p *Provider) listParams(from broadcast.Sender, to string) *openapi.ListMessageParams {
	params := &openapi.ListMessageParams{}
	params.SetTo(to)
	if !from.IsService() {
		params.SetFrom(from.Address)
	}
	return params
}

// sent converts an outbound message of from, reporting false for anything
// else.
func sent(m openapi.ApiV2010Message, from broadcast.Sender) (broadcast.Sent, bool) {
	if str(m.Direction) == "inbound" || str(m.Sid) == "" {
		return broadcast.Sent{}, false
	}
	if from.IsService() && str(m.MessagingServiceSid) != from.Address {
		return broadcast.Sent{}, false
	}
	created, err := time.Parse(time.RFC1123Z, str(m.DateCreated))
	if err != nil {
		return broadcast.Sent{}, false
	}
	return broadcast.Sent{SID: str(m.Sid), To: str(m.To), Body: str(m.Body), Created: created}, true
}
