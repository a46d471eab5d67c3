package twiliotest_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	twilio "github.com/twilio/twilio-go"
	"github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"smsbot/broadcast/twilio/twiliotest"
)

// testBundle is one fake with a real twilio-go client pointed at it.
type testBundle struct {
	srv    *twiliotest.Server
	clock  *clock
	rt     *rewriteTransport
	api    *openapi.ApiService
	target *url.URL
}

// setup starts a fake with cfg (its clock is replaced by a test clock) and
// a twilio-go client that talks to it with the right credentials.
func setup(t *testing.T, cfg twiliotest.Config) *testBundle {
	t.Helper()
	clk := &clock{now: time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)}
	cfg.Now = clk.Now
	srv := twiliotest.NewServer(cfg)
	t.Cleanup(srv.Close)
	target, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	b := &testBundle{srv: srv, clock: clk, target: target}
	b.rt = b.transport(t, nil)
	b.api = b.client(srv.AccountSID(), srv.AuthToken(), b.rt)
	return b
}

// transport returns a rewriting transport to the fake. If ctx is not nil,
// it becomes the context of every request, which twilio-go cannot set.
func (b *testBundle) transport(t *testing.T, ctx context.Context) *rewriteTransport {
	base := &http.Transport{}
	t.Cleanup(base.CloseIdleConnections)
	return &rewriteTransport{target: b.target, base: base, ctx: ctx}
}

// client returns twilio-go's Messages API using the given credentials.
func (b *testBundle) client(sid, token string, rt http.RoundTripper) *openapi.ApiService {
	c := &client.Client{
		Credentials: client.NewCredentials(sid, token),
		HTTPClient:  &http.Client{Transport: rt},
	}
	c.SetAccountSid(sid)
	return twilio.NewRestClientWithParams(twilio.ClientParams{Client: c}).Api
}

// do sends a raw request with the fake's credentials to a path (with
// query) on the fake.
func (b *testBundle) do(t *testing.T, ctx context.Context, method, path string, form url.Values) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, b.srv.URL()+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(b.srv.AccountSID(), b.srv.AuthToken())
	return b.rt.base.RoundTrip(req)
}

// rewriteTransport sends twilio-go's requests for api.twilio.com to the
// fake and counts the list requests.
type rewriteTransport struct {
	target *url.URL
	base   http.RoundTripper
	ctx    context.Context
	lists  atomic.Int64
}

// RoundTrip implements http.RoundTripper.
func (rt *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if rt.ctx != nil {
		ctx = rt.ctx
	}
	r := req.Clone(ctx)
	r.URL.Scheme = rt.target.Scheme
	r.URL.Host = rt.target.Host
	r.Host = ""
	if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/Messages.json") {
		rt.lists.Add(1)
	}
	return rt.base.RoundTrip(r)
}

// clock is a settable clock, safe for concurrent use.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// restError returns err as a Twilio REST error, failing the test if it is
// not one.
func restError(t *testing.T, err error) *client.TwilioRestError {
	t.Helper()
	var re *client.TwilioRestError
	if !errors.As(err, &re) {
		t.Fatalf("error = %v (%T), want *client.TwilioRestError", err, err)
	}
	return re
}

// restErrorOrNil returns err as a Twilio REST error, or nil if it is not
// one.
func restErrorOrNil(err error) *client.TwilioRestError {
	var re *client.TwilioRestError
	if errors.As(err, &re) {
		return re
	}
	return nil
}

// send creates a message from+to+body through twilio-go.
func (b *testBundle) send(from, to, body string) (*openapi.ApiV2010Message, error) {
	p := &openapi.CreateMessageParams{}
	return b.api.CreateMessage(p.SetFrom(from).SetTo(to).SetBody(body))
}

// next receives the next message from Created, failing the test if there
// is none within a generous deadline (which only a broken fake reaches).
func (b *testBundle) next(t *testing.T) twiliotest.Message {
	t.Helper()
	select {
	case m := <-b.srv.Created():
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message on Created")
		return twiliotest.Message{}
	}
}
