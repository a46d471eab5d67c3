package twilio

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/twilio/twilio-go/client"

	"smsbot/broadcast"
)

// maxErrorBody is how much of an error answer is read to classify it.
const maxErrorBody = 64 << 10

// codeTooManyRequests is Twilio's error for a request beyond the
// account's concurrent requests.
const codeTooManyRequests = 20429

// classifyAnswer classifies a non-2xx answer to req, and reads and closes
// its body. A create request is not idempotent: once it was written,
// Twilio may have stored the message whatever comes back, unless the
// answer is one that says it was not processed.
//
//	429 with error 20429, or no Twilio code  Retryable, Throttled, after Retry-After
//	429 with another Twilio code             Retryable, after Retry-After
//	401, any body                            Permanent, Halt (credentials)
//	other 4xx with Twilio's JSON error       Permanent (21211, 21610… set Effect)
//	5xx, any body                            Ambiguous (a gateway may answer after Twilio stored it)
//	anything else (3xx, 4xx not Twilio's)    Ambiguous
//
// Throttled is Twilio refusing a request beyond the account's concurrent
// requests (20429): it cuts Config.Gate's cap. A 429 whose body is not
// Twilio's (a gateway's) counts as one too; one with another code (a
// rate limit of one resource) does not.
//
// The transport classifies failures without an answer, and classify the
// 2xx answers that twilio-go cannot read (Ambiguous). Requests that change nothing (the
// GETs of Lookup and the pollers) are never ambiguous: their 5xx and
// unreadable answers are Retryable.
func classifyAnswer(req *http.Request, resp *http.Response, now time.Time) *broadcast.SendError {
	defer resp.Body.Close()
	raw, readErr := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	doc, isTwilio := twilioError(raw)
	safe := req.Method == http.MethodGet || req.Method == http.MethodHead

	var se *broadcast.SendError
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		se = &broadcast.SendError{Class: broadcast.Retryable, Throttled: !isTwilio || doc.Code == codeTooManyRequests}
	case resp.StatusCode == http.StatusUnauthorized:
		se = restError(resp.StatusCode, doc.Code, doc.Message)
	case resp.StatusCode >= 400 && resp.StatusCode < 500 && isTwilio:
		se = restError(resp.StatusCode, doc.Code, doc.Message)
	case resp.StatusCode >= 500:
		se = &broadcast.SendError{Class: broadcast.Ambiguous}
	default:
		se = &broadcast.SendError{Class: broadcast.Ambiguous, Message: "unreadable answer from Twilio: " + resp.Status}
	}
	if safe && se.Class == broadcast.Ambiguous {
		se.Class = broadcast.Retryable
	}
	if se.Code == "" && isTwilio {
		se.Code = strconv.Itoa(doc.Code)
	}
	if se.Message == "" {
		se.Message = doc.Message
	}
	if se.Message == "" {
		se.Message = resp.Status
	}
	// A 503 may say when to come back too; the engine may use it.
	se.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), now)
	se.Err = readErr
	return se
}

// twilioErrorDoc is Twilio's JSON error document
// (testdata/twilio/error_*.json).
type twilioErrorDoc struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  int    `json:"status"`
}

// twilioError decodes raw as Twilio's error document. It reports false,
// and a zero document, for anything else: HTML, other JSON, a cut body.
func twilioError(raw []byte) (twilioErrorDoc, bool) {
	var doc twilioErrorDoc
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&doc); err != nil || doc.Code == 0 {
		return twilioErrorDoc{}, false
	}
	return doc, true
}

// classify turns an error of twilio-go into a *broadcast.SendError.
func classify(err error) error {
	var se *broadcast.SendError
	if errors.As(err, &se) {
		return se // classified by the transport
	}
	var re *client.TwilioRestError
	if errors.As(err, &re) {
		// Only twilio-go itself makes these now (the transport answers every
		// non-2xx): it refuses credentials with characters it does not
		// allow, before any request.
		return restError(re.Status, re.Code, re.Message)
	}
	var re1 *client.RestErrorV1
	if errors.As(err, &re1) {
		return restError(re1.HttpStatusCode, re1.Code, re1.Message)
	}
	// A 2xx answer twilio-go could not decode, or a body cut off by the
	// timeout: the message may exist.
	return &broadcast.SendError{Class: broadcast.Ambiguous, Message: "unreadable answer from Twilio", Err: err}
}

// restError is the SendError of a refusal Twilio explained with its JSON
// error document: permanent, with the contact's fate for the codes that
// tell it, and Halt when the credentials are wrong.
func restError(status, code int, msg string) *broadcast.SendError {
	se := &broadcast.SendError{Class: broadcast.Permanent, Message: msg}
	if code != 0 {
		se.Code = strconv.Itoa(code)
	}
	switch code {
	case 21211, 21614:
		se.Effect = broadcast.FlagInvalid
	case 21610:
		se.Effect = broadcast.MarkOptedOut
	case 20003, 21222, 21224:
		se.Halt = true
	}
	if status == http.StatusUnauthorized {
		se.Halt = true
	}
	if se.Halt {
		se.Message = "Twilio refused the credentials: check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"
	}
	return se
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
