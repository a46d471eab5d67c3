package twilio

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"smsbot/broadcast"
)

// transport sits under twilio-go's HTTP client. It sends requests to a
// different base URL when one is configured (twilio-go has no option for
// that), and it classifies failures while it still knows what twilio-go
// throws away: whether the request was written before the connection
// failed, and the Retry-After header of a 429.
type transport struct {
	base   http.RoundTripper
	target *url.URL // nil: api.twilio.com as twilio-go chose
	now    func() time.Time
}

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
		if wrote.Load() {
			// Twilio may have the message: only a lookup can tell.
			return nil, &broadcast.SendError{Class: broadcast.Ambiguous, Message: "no answer from Twilio", Err: err}
		}
		return nil, &broadcast.SendError{Class: broadcast.Retryable, Message: "could not reach Twilio", Err: err}
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		defer resp.Body.Close()
		var body struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		}
		_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&body)
		se := &broadcast.SendError{
			Class:      broadcast.Retryable,
			Message:    body.Message,
			RetryAfter: retryAfter(resp.Header.Get("Retry-After"), t.now()),
		}
		if se.Message == "" {
			se.Message = resp.Status
		}
		if body.Code != 0 {
			se.Code = strconv.Itoa(body.Code)
		}
		return nil, se
	}
	return resp, nil
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
