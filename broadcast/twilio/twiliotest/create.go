package twiliotest

import (
	"net/http"
	"unicode/utf8"
)

// maxBodyChars is Twilio's limit on the body of one message, in characters.
const maxBodyChars = 1600

// handleCreate serves POST …/Messages.json after auth. Order: field
// validation (400), a Fault that stores nothing (429, 5xx), Config.Invalid
// (400), store, then the answer: 201, or the Fault that comes after
// create (5xx, HTML, no answer, a late answer).
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
	if s.refuse(w, fault) {
		return
	}
	if code, ok := s.cfg.Invalid[req.To]; ok {
		writeError(w, http.StatusBadRequest, code, refusalText(code, req.To))
		return
	}
	m, release := s.storeOutbound(req, media, f.Get("StatusCallback"))
	s.answerStored(w, r, fault, m, release)
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
