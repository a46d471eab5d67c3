package twiliotest

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"
)

// Fault is what the fake does with one create request.
//
// Faults named "AfterCreate", FaultDrop, FaultHold and FaultSlow store the
// message first, as Twilio does when a gateway in front of it fails, or the
// answer is lost, after the message was accepted: a client that sends again
// doubles the text. The others answer before anything is stored.
type Fault int

// Faults, chosen per request by Config.Fault.
const (
	// FaultNone stores the message and answers 201.
	FaultNone Fault = iota
	// Fault429 answers 429 with Twilio error 20429 and Retry-After in
	// seconds (Config.RetryAfter, default "1"). The message is not stored.
	Fault429
	// Fault500 answers 500 with Twilio error 20500. The message is not
	// stored.
	Fault500
	// FaultDrop stores the message, then closes the TCP connection without
	// any response: the client sees a transport error although Twilio
	// accepted the message.
	FaultDrop
	// FaultHold stores the message, then blocks until Release (answers 201),
	// the end of the request's context (no answer), or Close (connection
	// closed without answer). It simulates a process killed mid-request.
	FaultHold
	// Fault429Date is Fault429 with Retry-After as an HTTP date: the fake's
	// Now plus Config.RetryAfter.
	Fault429Date
	// Fault502HTML answers 502 with a gateway's HTML page
	// (testdata/twilio/gateway_502.html): the gateway could not reach
	// Twilio. The message is not stored.
	Fault502HTML
	// Fault500AfterCreate stores the message, then answers 500 with Twilio
	// error 20500.
	Fault500AfterCreate
	// Fault502AfterCreate stores the message, then answers 502 with a
	// gateway's HTML page (testdata/twilio/gateway_502.html).
	Fault502AfterCreate
	// Fault504AfterCreate stores the message, then answers 504 with a
	// gateway's HTML page (testdata/twilio/gateway_504.html): the gateway
	// gave up waiting for Twilio, which went on to accept the message.
	Fault504AfterCreate
	// Fault200HTMLAfterCreate stores the message, then answers 200 with an
	// HTML page (testdata/twilio/proxy_200.html), as a captive portal or a
	// misrouted proxy does: a success status whose body is not Twilio's.
	Fault200HTMLAfterCreate
	// FaultSlow stores the message, then answers only after the client has
	// given up (its timeout or cancel): an answer slower than any client
	// timeout. Close ends it without an answer. A client without a timeout
	// waits until Close.
	FaultSlow
)

var faultNames = [...]string{
	FaultNone:               "FaultNone",
	Fault429:                "Fault429",
	Fault500:                "Fault500",
	FaultDrop:               "FaultDrop",
	FaultHold:               "FaultHold",
	Fault429Date:            "Fault429Date",
	Fault502HTML:            "Fault502HTML",
	Fault500AfterCreate:     "Fault500AfterCreate",
	Fault502AfterCreate:     "Fault502AfterCreate",
	Fault504AfterCreate:     "Fault504AfterCreate",
	Fault200HTMLAfterCreate: "Fault200HTMLAfterCreate",
	FaultSlow:               "FaultSlow",
}

// String returns the Fault's Go name.
func (f Fault) String() string {
	if f >= 0 && int(f) < len(faultNames) {
		return faultNames[f]
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// stores reports whether the fault stores the message before it acts.
func (f Fault) stores() bool {
	switch f {
	case FaultNone, FaultDrop, FaultHold, Fault500AfterCreate, Fault502AfterCreate,
		Fault504AfterCreate, Fault200HTMLAfterCreate, FaultSlow:
		return true
	}
	return false
}

// CreateRequest is the create request that Config.Fault decides about.
type CreateRequest struct {
	From                string
	To                  string
	Body                string
	MessagingServiceSID string
	// Attempt counts the create requests so far with the same sender (From,
	// or MessagingServiceSID when From is empty), To and Body, including
	// this one: 1 for the first. Requests rejected by field validation or
	// auth are not counted.
	Attempt int
}

// attemptKey identifies "the same message" for CreateRequest.Attempt.
func (r CreateRequest) attemptKey() string {
	sender := r.From
	if sender == "" {
		sender = r.MessagingServiceSID
	}
	return sender + "\x00" + r.To + "\x00" + r.Body
}

// refuse answers a fault that stores nothing. It reports false for faults
// that store the message.
func (s *Server) refuse(w http.ResponseWriter, f Fault) bool {
	switch f {
	case Fault429:
		secs := int(math.Ceil(s.cfg.RetryAfter.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		writeError(w, http.StatusTooManyRequests, codeTooManyRequests, errorText(codeTooManyRequests))
	case Fault429Date:
		at := s.cfg.Now().Add(s.cfg.RetryAfter).UTC().Truncate(time.Second)
		w.Header().Set("Retry-After", at.Format(http.TimeFormat))
		writeError(w, http.StatusTooManyRequests, codeTooManyRequests, errorText(codeTooManyRequests))
	case Fault500:
		writeError(w, http.StatusInternalServerError, codeInternal, errorText(codeInternal))
	case Fault502HTML:
		writeHTML(w, http.StatusBadGateway, s.pages.badGateway)
	default:
		if f.stores() {
			return false
		}
		writeError(w, http.StatusInternalServerError, codeInternal, "twiliotest: unknown "+f.String())
	}
	return true
}

// answerStored answers a request whose message m was stored, as fault f
// says. release is the Release channel current when m was stored.
func (s *Server) answerStored(w http.ResponseWriter, r *http.Request, f Fault, m Message, release <-chan struct{}) {
	switch f {
	case FaultDrop:
		drop(w)
		return
	case FaultHold:
		select {
		case <-release:
		case <-r.Context().Done():
			return
		case <-s.closed:
			drop(w)
			return
		}
	case FaultSlow:
		select {
		case <-r.Context().Done():
		case <-s.closed:
			drop(w)
		}
		return
	case Fault500AfterCreate:
		writeError(w, http.StatusInternalServerError, codeInternal, errorText(codeInternal))
		return
	case Fault502AfterCreate:
		writeHTML(w, http.StatusBadGateway, s.pages.badGateway)
		return
	case Fault504AfterCreate:
		writeHTML(w, http.StatusGatewayTimeout, s.pages.gatewayTimeout)
		return
	case Fault200HTMLAfterCreate:
		writeHTML(w, http.StatusOK, s.pages.proxy)
		return
	}
	writeJSON(w, http.StatusCreated, s.resource(m))
}

// writeHTML writes an HTML page with the given status, as a gateway does.
func writeHTML(w http.ResponseWriter, status int, page []byte) {
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Content-Length", strconv.Itoa(len(page)))
	w.WriteHeader(status)
	_, _ = w.Write(page)
}
