package twilio

import (
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"
	"time"

	"smsbot/broadcast"
)

// transport sits under twilio-go's HTTP client. It sends requests to a
// different base URL when one is configured (twilio-go has no option for
// that), and it classifies failures while it still knows what twilio-go
// throws away: whether the request was written before the connection
// failed, the status and headers (Retry-After) of an error answer, and
// whether its body is Twilio's JSON at all. Every non-2xx answer becomes
// a *broadcast.SendError here (see classifyAnswer); 2xx answers go on to
// twilio-go.
type transport struct {
	base   http.RoundTripper
	target *url.URL // nil: api.twilio.com as twilio-go chose
	now    func() time.Time
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.target != nil {
		req = req.Clone(req.Context())
		req.URL.Scheme, req.URL.Host, req.Host = t.target.Scheme, t.target.Host, ""
	}
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(info httptrace.WroteRequestInfo) {
		if info.Err == nil {
			wrote.Store(true)
		}
	}}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		// A timeout (the client's, or ResponseHeaderTimeout) or a reset
		// after the write: Twilio may have the message, only a lookup can
		// tell. Before the write, nothing reached Twilio.
		if !wrote.Load() {
			return nil, &broadcast.SendError{Class: broadcast.Retryable, Message: "could not reach Twilio", Err: err}
		}
		se := &broadcast.SendError{Class: broadcast.Ambiguous, Message: "no answer from Twilio", Err: err}
		if req.Method == http.MethodGet {
			se.Class = broadcast.Retryable // a lookup changes nothing
		}
		return nil, se
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, classifyAnswer(req, resp, t.now())
	}
	return resp, nil
}

// NewTransport returns the HTTP transport New uses when Config.Transport
// is nil, with cfg's settings (zero ones at their defaults):
//
//   - a keep-alive pool of cfg.Concurrency idle connections, in all and
//     to Twilio's host (Go's default keeps 2 per host, so a burst of calls
//     would open and close TLS connections all the time);
//   - HTTP/2 where the server offers it (ForceAttemptHTTP2: Go turns it
//     off by itself for a transport with its own dialer);
//   - DialTimeout, TLSHandshakeTimeout, ResponseHeaderTimeout and
//     IdleConnTimeout; cfg.Timeout is the client's, not the transport's;
//   - the proxy from the environment (HTTPS_PROXY), like Go's default.
//
// Callers may change the result (a test wraps its DialContext) and pass
// it as Config.Transport.
func NewTransport(cfg Config) *http.Transport {
	cfg = cfg.withDefaults()
	dialer := &net.Dialer{Timeout: cfg.DialTimeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          cfg.Concurrency,
		MaxIdleConnsPerHost:   cfg.Concurrency,
		IdleConnTimeout:       cfg.IdleConnTimeout,
		TLSHandshakeTimeout:   cfg.TLSHandshakeTimeout,
		ResponseHeaderTimeout: cfg.ResponseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
	}
}
