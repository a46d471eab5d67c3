package twilio

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"smsbot/broadcast"
)

// Every HTTP request the Provider makes takes a slot of Config.Gate, for
// as long as the request is in flight, and gives it back with the
// request's classified error.
//
// twilio-go takes no context, and its transport sees none of ours, so
// the slot cannot be taken inside the transport. It is taken around each
// twilio-go call that makes exactly one request: CreateMessage, and
// PageMessage for one page of a list. Lists are read page by page here
// (list), not with twilio-go's ListMessage, which fetches the following
// pages itself: so a list of ten pages holds one slot at a time for each
// page, not one for all ten, and its context can end it between pages.
//
// A caller whose context is bound to a slot of the Gate already (the
// engine around Send and Lookup) takes no further slot: the requests of
// its call run one after another in the slot it holds.

// call makes one API request, fn, in a slot of the Gate taken with ctx.
// It classifies fn's error (see classify) and gives the slot back with
// it: a 20429 cuts the Gate's cap, a success grows it. When ctx ends
// before a slot is free, fn is not called and the error is Retryable.
func (p *Provider) call(ctx context.Context, fn func() error) error {
	slot, err := p.gate.Acquire(ctx)
	if err != nil {
		return &broadcast.SendError{Class: broadcast.Retryable, Message: "gave up waiting to call Twilio", Err: err}
	}
	if err = fn(); err != nil {
		err = classify(err)
	}
	slot.Release(err)
	return err
}

// page reads one page of the messages matching params: the first when
// token and number are empty, else the one they name (see nextPage).
//
// A list changes nothing, so its failures are never ambiguous. The
// transport says so of the answers it sees, but net/http reports the
// client's Timeout with an error of its own, without the transport's:
// classify calls that Ambiguous, and page makes it Retryable.
func (p *Provider) page(ctx context.Context, params *openapi.ListMessageParams, token, number string) (*openapi.ListMessageResponse, error) {
	var resp *openapi.ListMessageResponse
	err := p.call(ctx, func() (err error) {
		resp, err = p.api.PageMessage(params, token, number)
		return err
	})
	if se := (*broadcast.SendError)(nil); errors.As(err, &se) && se.Class == broadcast.Ambiguous {
		se.Class = broadcast.Retryable
	}
	return resp, err
}

// list reads the messages matching params, newest first, page after page
// (params' PageSize each), until limit messages or the last page. It
// checks ctx between pages.
func (p *Provider) list(ctx context.Context, params *openapi.ListMessageParams, limit int) ([]openapi.ApiV2010Message, error) {
	var out []openapi.ApiV2010Message
	token, number := "", ""
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		resp, err := p.page(ctx, params, token, number)
		if err != nil {
			return nil, err
		}
		out = append(out, resp.Messages...)
		if len(out) >= limit {
			return out[:limit], nil
		}
		if len(resp.Messages) == 0 || resp.NextPageUri == nil || *resp.NextPageUri == "" {
			return out, nil
		}
		if token, number, err = nextPage(*resp.NextPageUri); err != nil {
			return nil, err
		}
	}
}

// nextPage reads the page token and number of a next_page_uri.
func nextPage(uri string) (token, page string, err error) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", "", fmt.Errorf("twilio: next page %q: %w", uri, err)
	}
	q := u.Query()
	if q.Get("PageToken") == "" && q.Get("Page") == "" {
		return "", "", fmt.Errorf("twilio: next page %q has neither PageToken nor Page", uri)
	}
	return q.Get("PageToken"), q.Get("Page"), nil
}
