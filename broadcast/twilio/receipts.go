package twilio

import (
	"context"
	"strconv"
	"time"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"smsbot/broadcast"
	"smsbot/inbound"
)

// receiptPage is the page size of status polling: Twilio's largest, so a
// short code at 100 texts/s costs about six requests a minute.
const receiptPage = 1000

// receiptSlack is how far before since paging goes on: Twilio creates a
// message a moment before smsbot records it as sent, and the two clocks
// may differ a little.
const receiptSlack = time.Minute

// Statuses lists the final statuses of every text sent from from since
// since. Twilio lists newest first; Statuses reads page after page, with
// Twilio's page tokens (exact while new messages arrive), until a page
// reaches texts created before since, however many texts that is. Each
// page request takes a slot of Config.Gate with ctx.
func (p *Provider) Statuses(ctx context.Context, from broadcast.Sender, since time.Time) ([]inbound.StatusUpdate, error) {
	params := &openapi.ListMessageParams{}
	if !from.IsService() {
		params.SetFrom(from.Address)
	}
	params.SetDateSentAfter(since.UTC())
	params.SetPageSize(receiptPage)
	floor := since.Add(-receiptSlack)
	var out []inbound.StatusUpdate
	token, page := "", ""
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		resp, err := p.page(ctx, params, token, page)
		if err != nil {
			return nil, err
		}
		done := len(resp.Messages) == 0
		for _, m := range resp.Messages {
			if created, err := time.Parse(time.RFC1123Z, str(m.DateCreated)); err == nil && created.Before(floor) {
				done = true // the list is newest first: the rest is older still
			}
			if u, ok := p.receipt(m, from); ok {
				out = append(out, u)
			}
		}
		if done || resp.NextPageUri == nil || *resp.NextPageUri == "" {
			return out, nil
		}
		if token, page, err = nextPage(*resp.NextPageUri); err != nil {
			return nil, err
		}
	}
}

// receipt converts a listed message of from to a final status, reporting
// false for anything else (inbound, another service's, not final yet).
func (p *Provider) receipt(m openapi.ApiV2010Message, from broadcast.Sender) (inbound.StatusUpdate, bool) {
	if str(m.Direction) == "inbound" || from.IsService() && str(m.MessagingServiceSid) != from.Address {
		return inbound.StatusUpdate{}, false
	}
	code := ""
	if m.ErrorCode != nil && *m.ErrorCode != 0 {
		code = strconv.Itoa(*m.ErrorCode)
	}
	return inbound.ParseStatus(str(m.Sid), str(m.Status), code, p.now())
}
