package twiliotest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Headers Twilio puts on every answer of its REST API, as recorded from
// api.twilio.com: "Twilio-Request-Id: RQ…" (RQ and 32 hex digits),
// "Twilio-Concurrent-Requests: 1", "Twilio-Request-Duration: 0.080"
// (seconds, three decimals).
const (
	HeaderRequestID          = "Twilio-Request-Id"
	HeaderConcurrentRequests = "Twilio-Concurrent-Requests"
	HeaderRequestDuration    = "Twilio-Request-Duration"
)

// answer is the ResponseWriter of every request. Before the first byte of
// an answer goes out, it waits out the request's latency and frees its
// place in the account's concurrency (see serve), then stamps Twilio's
// headers. A wait cut short by the request's context or by Close aborts
// the handler with http.ErrAbortHandler: the connection is closed without
// an answer, and nothing the handler writes afterwards is sent.
//
// Pages a gateway in front of Twilio writes (text/html) get no Twilio
// headers: Twilio did not answer them.
type answer struct {
	http.ResponseWriter
	s     *Server
	start time.Time // on the real clock, for Twilio-Request-Duration

	// Set by serve for a request admitted to the account.
	r     *http.Request
	delay time.Duration
	leave func() // frees the request's place; idempotent

	ready, wrote bool
}

var _ http.Hijacker = (*answer)(nil)

// newAnswer wraps w for one request that arrived now.
func (s *Server) newAnswer(w http.ResponseWriter) *answer {
	w.Header().Set(HeaderRequestID, "RQ"+randomHex())
	return &answer{ResponseWriter: w, s: s, start: time.Now()}
}

// prepare runs once, before anything of the answer is written: the latency
// wait, then the request leaves the account's count. It panics with
// http.ErrAbortHandler when the wait is cut short.
func (a *answer) prepare() {
	if a.ready {
		return
	}
	a.ready = true
	if a.delay > 0 {
		a.s.wait(a.r, a.delay)
	}
	if a.leave != nil {
		a.leave()
	}
}

// WriteHeader implements http.ResponseWriter.
func (a *answer) WriteHeader(code int) {
	if !a.wrote {
		a.prepare()
		a.stamp()
		a.wrote = true
	}
	a.ResponseWriter.WriteHeader(code)
}

// Write implements http.ResponseWriter.
func (a *answer) Write(b []byte) (int, error) {
	if !a.wrote {
		a.WriteHeader(http.StatusOK)
	}
	return a.ResponseWriter.Write(b)
}

// Hijack implements http.Hijacker, for answers that close the connection
// (FaultDrop): they too wait out the latency first.
func (a *answer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	a.prepare()
	hj, ok := a.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("twiliotest: %T cannot be hijacked", a.ResponseWriter)
	}
	return hj.Hijack()
}

// Unwrap returns the underlying ResponseWriter, for http.ResponseController.
func (a *answer) Unwrap() http.ResponseWriter { return a.ResponseWriter }

// stamp sets Twilio's headers on a JSON answer, or removes them from a
// gateway's HTML page. Twilio-Concurrent-Requests is the account's count
// when the request arrived (itself included), set by serve; an answer
// outside the account (401, 404 before auth) counts the requests being
// served now plus itself.
func (a *answer) stamp() {
	h := a.Header()
	if strings.HasPrefix(h.Get("Content-Type"), "text/html") {
		h.Del(HeaderRequestID)
		h.Del(HeaderConcurrentRequests)
		return
	}
	if h.Get(HeaderConcurrentRequests) == "" {
		h.Set(HeaderConcurrentRequests, strconv.Itoa(a.s.InFlight()+1))
	}
	secs := time.Since(a.start).Seconds()
	h.Set(HeaderRequestDuration, strconv.FormatFloat(secs, 'f', 3, 64))
}

// serve runs h for an authenticated request if the account admits it:
// refused at once with 20429 when Config.Concurrency requests are being
// served, else counted until its answer is written, and answered after a
// latency sampled from Config.Latency.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, h http.HandlerFunc) {
	a, ok := w.(*answer)
	if !ok {
		panic("twiliotest: serve outside routes")
	}
	n, admitted := s.acct.admit()
	a.Header().Set(HeaderConcurrentRequests, strconv.Itoa(n))
	if !admitted {
		writeError(a, http.StatusTooManyRequests, codeTooManyRequests, errorText(codeTooManyRequests))
		return
	}
	var once bool
	a.leave = func() {
		if !once {
			once = true
			s.acct.leave()
		}
	}
	defer a.leave() // an answer never written (client gone, FaultSlow)
	a.r, a.delay = r, s.acct.sample()
	h(a, r)
}

// wait sleeps d with Config.Sleep, on a context that ends with the
// request's or at Close. A wait cut short aborts the handler.
func (s *Server) wait(r *http.Request, d time.Duration) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(s.stop, cancel)()
	if err := s.cfg.Sleep(ctx, d); err != nil {
		panic(http.ErrAbortHandler)
	}
}

// sleep is the default Config.Sleep: a real timer.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
