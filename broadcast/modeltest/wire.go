package modeltest

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
)

// attempt is one create request as it left smsbot, stamped on the
// engine's clock before any latency: the time its pacer let it go.
type attempt struct {
	seq      int64
	at       time.Time
	gen      int
	sender   string // From, or MessagingServiceSid
	to, body string
	segments int
	fault    wireFault
}

// wire is the network between one engine incarnation's Twilio provider
// (twilio-go and smsbot's own transport above it) and the fake: it adds
// latency on the virtual clock and the faults the fake cannot make on
// that clock (answers slower than the client's timeout, gateways failing
// lookups), records every create request, and goes dead with the
// incarnation.
type wire struct {
	base  *http.Transport
	life  *life
	clock clockwork.Clock
	world *world
}

// timeoutError is what net/http returns when Client.Timeout fires.
type timeoutError struct{}

func (timeoutError) Error() string {
	return "net/http: request canceled (Client.Timeout exceeded while awaiting headers)"
}
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// RoundTrip implements http.RoundTripper.
func (t *wire) RoundTrip(req *http.Request) (*http.Response, error) {
	if !t.life.enter() {
		return nil, errKilled
	}
	key, a, create, err := t.describe(req)
	if err != nil {
		t.life.leave()
		return nil, err
	}
	n := t.world.countRequest(key)
	fault := t.world.faults.onWire(key, n, create)
	if create {
		a.fault = fault
		t.world.recordAttempt(a)
	}
	if !t.wait(t.world.faults.leg(key, n, "request")) {
		return nil, errKilled
	}
	if fault == wireGateway {
		return t.finish(t.world.gatewayPage(req), nil)
	}
	if create && t.world.opts.sabotage == "double" {
		// A broken client that sends every text twice.
		twin := req.Clone(req.Context())
		twin.Body, _ = req.GetBody()
		r, _ := t.base.RoundTrip(twin)
		discard(r)
		req.Body, _ = req.GetBody()
	}
	resp, err := t.base.RoundTrip(req)
	if fault == wireTimeout {
		discard(resp)
		resp, err = nil, timeoutError{}
	}
	if !t.wait(t.world.faults.leg(key, n, "answer")) {
		discard(resp)
		return nil, errKilled
	}
	return t.finish(resp, err)
}

// finish ends the call; a dead engine never sees the answer.
func (t *wire) finish(resp *http.Response, err error) (*http.Response, error) {
	if !t.life.leave() {
		discard(resp)
		return nil, errKilled
	}
	return resp, err
}

// wait lets d pass on the virtual clock; false if the engine died.
func (t *wire) wait(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t.life.pause()
	<-t.clock.After(d)
	return t.life.resume()
}

// describe names a request for fault decisions and, for a create request,
// reads its form (restoring the body) into an attempt.
func (t *wire) describe(req *http.Request) (string, attempt, bool, error) {
	if req.Method != http.MethodPost || !strings.HasSuffix(req.URL.Path, "/Messages.json") {
		return req.Method + " " + req.URL.RequestURI(), attempt{}, false, nil
	}
	var raw []byte
	if req.Body != nil {
		var err error
		if raw, err = io.ReadAll(req.Body); err != nil {
			return "", attempt{}, false, err
		}
		req.Body.Close()
	}
	req.Body = io.NopCloser(bytes.NewReader(raw))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }
	form, _ := url.ParseQuery(string(raw))
	sender := form.Get("From")
	if sender == "" {
		sender = form.Get("MessagingServiceSid")
	}
	a := attempt{
		seq: t.world.next(), at: t.clock.Now(), gen: t.life.gen,
		sender: sender, to: form.Get("To"), body: form.Get("Body"),
		segments: broadcast.CountSegments(form.Get("Body")).Segments,
	}
	return "POST " + sender + " " + a.to + " " + a.body, a, true, nil
}

// gatewayPage is the HTML page a gateway in front of Twilio answers with
// when it cannot reach it (testdata/twilio/gateway_502.html).
func (w *world) gatewayPage(req *http.Request) *http.Response {
	return &http.Response{
		Status:     "502 Bad Gateway",
		StatusCode: http.StatusBadGateway, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"text/html"}, "Server": {"nginx"}},
		Body:          io.NopCloser(bytes.NewReader(w.gateway502)),
		ContentLength: int64(len(w.gateway502)),
		Request:       req,
	}
}

func discard(resp *http.Response) {
	if resp != nil && resp.Body != nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
