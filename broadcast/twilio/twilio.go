// Package twilio is the broadcast.Provider for Twilio's Messages API, on
// twilio-go.
package twilio

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	twiliogo "github.com/twilio/twilio-go"
	"github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"smsbot/broadcast"
)

// Provider sends texts through Twilio. It is safe for concurrent use.
type Provider struct {
	api      *openapi.ApiService
	gate     *broadcast.Gate // nil: no cap
	callback string
	now      func() time.Time
}

var _ broadcast.Provider = (*Provider)(nil)

// New returns a Twilio provider.
func New(cfg Config) (*Provider, error) {
	if cfg.AccountSID == "" || cfg.AuthToken == "" {
		return nil, errors.New("twilio: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are both required")
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if cfg.Transport == nil {
		cfg.Transport = NewTransport(cfg)
	}
	t := &transport{base: cfg.Transport, now: cfg.Now}
	if cfg.APIURL != "" {
		u, err := url.Parse(cfg.APIURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("twilio: TWILIO_API_URL %q is not a URL like http://127.0.0.1:4010", cfg.APIURL)
		}
		t.target = u
	}
	c := &client.Client{
		Credentials: client.NewCredentials(cfg.AccountSID, cfg.AuthToken),
		HTTPClient: &http.Client{
			Transport: t,
			Timeout:   cfg.Timeout,
			// Like twilio-go's own client: never follow redirects.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	c.SetAccountSid(cfg.AccountSID)
	rc := twiliogo.NewRestClientWithParams(twiliogo.ClientParams{Client: c})
	return &Provider{api: rc.Api, gate: cfg.Gate, callback: cfg.StatusCallback, now: cfg.Now}, nil
}

// Send creates one message, in a slot of Config.Gate taken with ctx.
// Errors are *broadcast.SendError; see classifyAnswer for which answer
// gets which class. When ctx ends before a slot is free, the error is
// Retryable (nothing reached Twilio) and wraps ctx's error. twilio-go
// takes no context: once the request started, only Config.Timeout ends
// it.
func (p *Provider) Send(ctx context.Context, m broadcast.Outgoing) (string, error) {
	params := &openapi.CreateMessageParams{}
	params.SetTo(m.To)
	params.SetBody(m.Body)
	if m.From.IsService() {
		params.SetMessagingServiceSid(m.From.Address)
	} else {
		params.SetFrom(m.From.Address)
	}
	if p.callback != "" {
		params.SetStatusCallback(p.callback)
	}
	var sid string
	err := p.call(ctx, func() error {
		msg, err := p.api.CreateMessage(params)
		if err != nil {
			return err
		}
		if msg.Sid == nil || *msg.Sid == "" {
			return &broadcast.SendError{Class: broadcast.Ambiguous, Message: "Twilio answered without a message SID"}
		}
		sid = *msg.Sid
		return nil
	})
	return sid, err
}
