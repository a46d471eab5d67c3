package twiliotest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// Twilio error codes the fake itself produces. Config.Invalid and SetStatus
// may use any other code.
const (
	codeInvalidParameter = 20001
	codeAuthenticate     = 20003
	codeMethodNotAllowed = 20004
	codeNotFound         = 20404
	codeTooManyRequests  = 20429
	codeInternal         = 20500
	codeBodyRequired     = 21602
	codeFromRequired     = 21603
	codeToRequired       = 21604
	codeFromInvalid      = 21606
	codeBodyTooLong      = 21617
)

// errorTexts are Twilio's messages for the codes the fake and its users
// are likely to meet.
var errorTexts = map[int]string{
	codeInvalidParameter: "Invalid parameter",
	codeAuthenticate:     "Authenticate",
	codeMethodNotAllowed: "Method not allowed",
	codeNotFound:         "The requested resource was not found",
	codeTooManyRequests:  "Too Many Requests",
	codeInternal:         "Internal Server Error",
	21211:                "Invalid 'To' Phone Number",
	21408:                "Permission to send an SMS has not been enabled for the region indicated by the 'To' number",
	codeBodyRequired:     "Message body is required.",
	codeFromRequired:     "A 'From' phone number is required.",
	codeToRequired:       "A 'To' phone number is required.",
	codeFromInvalid:      "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination/account.",
	21610:                "Attempt to send to unsubscribed recipient",
	21612:                "The 'To' phone number is not currently reachable using the 'From' phone number via SMS.",
	21614:                "'To' number is not a valid mobile number",
	codeBodyTooLong:      "The concatenated message body exceeds the 1600 character limit.",
	30003:                "Unreachable destination handset",
	30004:                "Message blocked",
	30005:                "Unknown destination handset",
	30006:                "Landline or unreachable carrier",
	30007:                "Message filtered",
	30008:                "Unknown error",
}

// errorText returns Twilio's message for code, or a generic one.
func errorText(code int) string {
	if text, ok := errorTexts[code]; ok {
		return text
	}
	return "Twilio error " + strconv.Itoa(code)
}

// refusalText is the message of a create request refused with code for
// the number to. Twilio names the number for 21211.
func refusalText(code int, to string) string {
	if code == 21211 {
		return fmt.Sprintf("The 'To' number %s is not a valid phone number.", to)
	}
	return errorText(code)
}

// authDetail is the detail Twilio adds to error 20003.
const authDetail = "Your AccountSid or AuthToken was incorrect."

// restError is Twilio's JSON error document (testdata/twilio/error_*.json),
// as twilio-go's client.TwilioRestError decodes it. Detail is only in
// 20003's; twilio-go ignores it.
type restError struct {
	Code     int    `json:"code"`
	Detail   string `json:"detail,omitempty"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
	Status   int    `json:"status"`
}

// writeError writes a Twilio error document with the given HTTP status.
func writeError(w http.ResponseWriter, status, code int, message string) {
	e := restError{
		Code:     code,
		Message:  message,
		MoreInfo: fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
		Status:   status,
	}
	if code == codeAuthenticate {
		e.Detail = authDetail
	}
	writeJSON(w, status, e)
}

// writeNotFound writes 404 with Twilio error 20404 naming the path.
func writeNotFound(w http.ResponseWriter, r *http.Request) {
	msg := fmt.Sprintf("The requested resource %s was not found", r.URL.Path)
	writeError(w, http.StatusNotFound, codeNotFound, msg)
}

// writeJSON writes v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic("twiliotest: encode response: " + err.Error())
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
