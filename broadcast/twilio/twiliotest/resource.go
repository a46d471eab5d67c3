package twiliotest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// apiVersion is the Twilio REST API version the fake speaks.
const apiVersion = "2010-04-01"

// rfc2822 is the layout of Twilio's timestamps, always in GMT:
// "Thu, 30 Jul 2015 20:12:31 +0000".
const rfc2822 = time.RFC1123Z

// messageResource is the JSON of schema api.v2010.account.message
// (testdata/twilio/openapi_messages.json). Nil pointers are written as
// null, as Twilio does.
type messageResource struct {
	AccountSID          string            `json:"account_sid"`
	APIVersion          string            `json:"api_version"`
	Body                string            `json:"body"`
	DateCreated         string            `json:"date_created"`
	DateSent            *string           `json:"date_sent"`
	DateUpdated         string            `json:"date_updated"`
	Direction           string            `json:"direction"`
	ErrorCode           *int              `json:"error_code"`
	ErrorMessage        *string           `json:"error_message"`
	From                string            `json:"from"`
	MessagingServiceSID *string           `json:"messaging_service_sid"`
	NumMedia            string            `json:"num_media"`
	NumSegments         string            `json:"num_segments"`
	Price               *string           `json:"price"`
	PriceUnit           string            `json:"price_unit"`
	SID                 string            `json:"sid"`
	Status              string            `json:"status"`
	SubresourceURIs     map[string]string `json:"subresource_uris"`
	To                  string            `json:"to"`
	URI                 string            `json:"uri"`
}

// resource renders m as Twilio's JSON representation.
func (s *Server) resource(m Message) messageResource {
	base := s.accountPath() + "/Messages/" + m.SID
	res := messageResource{
		AccountSID:  m.AccountSID,
		APIVersion:  apiVersion,
		Body:        m.Body,
		DateCreated: m.DateCreated.UTC().Format(rfc2822),
		DateUpdated: m.DateUpdated.UTC().Format(rfc2822),
		Direction:   m.Direction,
		From:        m.From,
		NumMedia:    strconv.Itoa(len(m.MediaURLs)),
		NumSegments: strconv.Itoa(m.NumSegments),
		PriceUnit:   "USD",
		SID:         m.SID,
		Status:      m.Status,
		SubresourceURIs: map[string]string{
			"media":    base + "/Media.json",
			"feedback": base + "/Feedback.json",
		},
		To:  m.To,
		URI: base + ".json",
	}
	if !m.DateSent.IsZero() {
		sent := m.DateSent.UTC().Format(rfc2822)
		res.DateSent = &sent
	}
	if m.ErrorCode != 0 {
		code, text := m.ErrorCode, errorText(m.ErrorCode)
		res.ErrorCode, res.ErrorMessage = &code, &text
	}
	if m.MessagingServiceSID != "" {
		sid := m.MessagingServiceSID
		res.MessagingServiceSID = &sid
	}
	return res
}

// accountPath is "/2010-04-01/Accounts/AC…", the prefix of every URI.
func (s *Server) accountPath() string {
	return "/" + apiVersion + "/Accounts/" + s.cfg.AccountSID
}

// handleFetch serves GET …/Messages/{Sid}.json: the message, or 404 with
// Twilio error 20404.
func (s *Server) handleFetch(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, codeMethodNotAllowed, "Method not allowed: "+r.Method)
		return
	}
	if s.authorized(w, r) {
		s.serve(w, r, s.fetch)
	}
}

// fetch answers an authenticated, admitted fetch request.
func (s *Server) fetch(w http.ResponseWriter, r *http.Request) {
	sid, ok := strings.CutSuffix(r.PathValue("file"), ".json")
	if !ok {
		writeNotFound(w, r)
		return
	}
	m, ok := s.Find(sid)
	if !ok {
		writeNotFound(w, r)
		return
	}
	writeJSON(w, http.StatusOK, s.resource(m))
}
