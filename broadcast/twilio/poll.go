package twilio

import (
	"context"
	"strconv"
	"time"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"smsbot/inbound"
)

var _ inbound.Source = (*Provider)(nil)

// pollLimit caps the messages one poll reads per number.
const pollLimit = 2000

// Received lists the texts received on our number to since since. Twilio
// filters DateSent by day, so it may return older texts too. Each page
// request takes a slot of Config.Gate with ctx.
func (p *Provider) Received(ctx context.Context, to string, since time.Time) ([]inbound.Text, error) {
	params := &openapi.ListMessageParams{}
	params.SetTo(to)
	msgs, err := p.listSince(ctx, params, since)
	if err != nil {
		return nil, err
	}
	var out []inbound.Text
	for _, m := range msgs {
		if str(m.Direction) != "inbound" {
			continue
		}
		at, err := time.Parse(time.RFC1123Z, str(m.DateSent))
		if err != nil {
			if at, err = time.Parse(time.RFC1123Z, str(m.DateCreated)); err != nil {
				continue
			}
		}
		t := inbound.Text{SID: str(m.Sid), From: str(m.From), To: str(m.To), Body: str(m.Body), At: at}
		if n, _ := strconv.Atoi(str(m.NumMedia)); n > 0 && m.SubresourceUris != nil {
			if u, ok := (*m.SubresourceUris)["media"].(string); ok {
				t.Media = append(t.Media, "https://api.twilio.com"+u)
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// Statuses, which pages through every receipt, is in receipts.go.

// listSince lists the messages matching params sent since since, up to
// pollLimit, a hundred a page.
func (p *Provider) listSince(ctx context.Context, params *openapi.ListMessageParams, since time.Time) ([]openapi.ApiV2010Message, error) {
	params.SetDateSentAfter(since.UTC())
	params.SetPageSize(100)
	return p.list(ctx, params, pollLimit)
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
