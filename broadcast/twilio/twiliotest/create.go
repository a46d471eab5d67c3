package twiliotest

import (
	"fmt"
	"net/http"
	"unicode/utf8"
)

// maxBodyChars is Twilio's limit on the body of one message, in characters.
const maxBodyChars = 1600

// Fault is what the fake does with one create request.
type Fault int

// Faults, chosen per request by Config.Fault.
const (
	// FaultNone stores the message and answers 201.
	FaultNone Fault = iota
	// Fault429 answers 429 with "Retry-After: 1" and Twilio error 20429.
	// The message is not stored.
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
)

// String returns the Fault's Go name.
func (f Fault) String() string {
	switch f {
	case FaultNone:
		return "FaultNone"
	case Fault429:
		return "Fault429"
	case Fault500:
		return "Fault500"
	case FaultDrop:
		return "FaultDrop"
	case FaultHold:
		return "FaultHold"
	}
	return fmt.Sprintf("Fault(%d)", int(f))
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

// handleCreate serves POST …/Messages.json after auth. Order: field
// validation (400), Fault (429/500), Config.Invalid (400), store, then
// Drop/Hold/201.
func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, codeInvalidParameter, "Invalid form body: "+err.Error())
		return
	}
	f := r.PostForm
	req := CreateRequest{
		From:                f.Get("From"),
		To:                  f.Get("To"),
		Body:                f.Get("Body"),
		MessagingServiceSID: f.Get("MessagingServiceSid"),
	}
	media := f["MediaUrl"]
	if code, msg := validateCreate(req, media); code != 0 {
		writeError(w, http.StatusBadRequest, code, msg)
		return
	}

	req.Attempt = s.countAttempt(req)
	fault := FaultNone
	if s.cfg.Fault != nil {
		fault = s.cfg.Fault(req)
	}
	switch fault {
	case FaultNone, FaultDrop, FaultHold:
	case Fault429:
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusTooManyRequests, codeTooManyRequests, errorText(codeTooManyRequests))
		return
	case Fault500:
		writeError(w, http.StatusInternalServerError, codeInternal, errorText(codeInternal))
		return
	default:
		writeError(w, http.StatusInternalServerError, codeInternal, "twiliotest: unknown "+fault.String())
		return
	}
	if code, ok := s.cfg.Invalid[req.To]; ok {
		writeError(w, http.StatusBadRequest, code, errorText(code))
		return
	}

	m, release := s.storeOutbound(req, media, f.Get("StatusCallback"))
	switch fault {
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
	}
	writeJSON(w, http.StatusCreated, s.resource(m))
}

// validateCreate returns the Twilio error code and message for a create
// request with missing or bad fields, or 0.
func validateCreate(req CreateRequest, media []string) (int, string) {
	switch {
	case req.To == "":
		return codeToRequired, errorText(codeToRequired)
	case req.From == "" && req.MessagingServiceSID == "":
		return codeFromRequired, errorText(codeFromRequired)
	case req.From != "" && req.MessagingServiceSID != "":
		// Real Twilio accepts both when From is in the service's sender
		// pool; the fake has no pools, so it asks for exactly one.
		return codeFromInvalid, "The fake accepts either 'From' or 'MessagingServiceSid', not both."
	case req.Body == "" && len(media) == 0:
		return codeBodyRequired, errorText(codeBodyRequired)
	case utf8.RuneCountInString(req.Body) > maxBodyChars:
		return codeBodyTooLong, errorText(codeBodyTooLong)
	}
	return 0, ""
}

// countAttempt records one more create request for req's message and
// returns the count including it.
func (s *Server) countAttempt(req CreateRequest) int {
	key := req.attemptKey()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts[key]++
	return s.attempts[key]
}

// drop closes the request's connection without writing anything.
func drop(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("twiliotest: ResponseWriter cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic("twiliotest: hijack: " + err.Error())
	}
	_ = conn.Close()
}
