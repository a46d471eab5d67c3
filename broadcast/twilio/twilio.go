// Package twilio is the broadcast.Provider for Twilio's Messages API, on
// twilio-go.
package twilio

import (
	"cmp"
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

// Config configures a Provider.
type Config struct {
	AccountSID string
	AuthToken  string
	// APIURL, when set, replaces https://api.twilio.com (scheme and host),
	// for a local fake or mock such as http://127.0.0.1:4010.
	APIURL string
	// StatusCallback, when set, is sent with every message so Twilio
	// reports delivery there.
	StatusCallback string
	// Timeout bounds each API call (default 15s). A create that times out
	// after its request was written is ambiguous: the engine looks the
	// text up before sending it again.
	Timeout time.Duration
	// Transport is the underlying HTTP transport (default: a clone of
	// http.DefaultTransport).
	Transport http.RoundTripper
	// Now is the clock for Retry-After dates (default time.Now).
	Now func() time.Time
}

// Provider sends texts through Twilio. It is safe for concurrent use.
type Provider struct {
	api      *openapi.ApiService
	callback string
	now      func() time.Time
}

var _ broadcast.Provider = (*Provider)(nil)

// New returns a Twilio provider.
func New(cfg Config) (*Provider, error) {
	if cfg.AccountSID == "" || cfg.AuthToken == "" {
		return nil, errors.New("twilio: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are both required")
	}
	cfg.Timeout = cmp.Or(cfg.Timeout, 15*time.Second)
	if cfg.Transport == nil {
		cfg.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
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
	return &Provider{api: rc.Api, callback: cfg.StatusCallback, now: cfg.Now}, nil
}

// Send creates one message. Errors are *broadcast.SendError; see
// classifyAnswer for which answer gets which class.
func (p *Provider) Send(_ context.Context, m broadcast.Outgoing) (string, error) {
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
	msg, err := p.api.CreateMessage(params)
	if err != nil {
		return "", classify(err)
	}
	if msg.Sid == nil || *msg.Sid == "" {
		return "", &broadcast.SendError{Class: broadcast.Ambiguous, Message: "Twilio answered without a message SID"}
	}
	return *msg.Sid, nil
}
