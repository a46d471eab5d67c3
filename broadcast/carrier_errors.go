package broadcast

// CarrierError explains a provider error code to an organizer.
type CarrierError struct {
	Code    string
	Summary string        // what happened, in plain words
	Action  string        // what to do about it
	Effect  ContactEffect // what it says about the contact
}

// carrierErrors are Twilio's codes that organizers meet most. See
// https://www.twilio.com/docs/api/errors.
var carrierErrors = map[string]CarrierError{
	"21211": {Summary: "invalid phone number", Action: "fix the number in your list", Effect: FlagInvalid},
	"21408": {Summary: "sending to this region is not enabled", Action: "enable the country in Twilio's geo permissions"},
	"21610": {Summary: "the recipient opted out (replied STOP)", Action: "none: they are skipped until they text START", Effect: MarkOptedOut},
	"21612": {Summary: "Twilio cannot route to this number from this sender", Action: "check the number, or send from another number"},
	"21614": {Summary: "not a mobile number", Action: "ask for a mobile number", Effect: FlagInvalid},
	"30003": {Summary: "unreachable: phone off or out of coverage, may be temporary", Action: "none: the next broadcast tries them again"},
	"30004": {Summary: "message blocked by the recipient or their carrier", Action: "none"},
	"30005": {Summary: "unknown number: it does not exist at the carrier", Action: "fix the number in your list", Effect: FlagInvalid},
	"30006": {Summary: "landline or unreachable carrier", Action: "ask for a mobile number", Effect: FlagInvalid},
	"30007": {Summary: "filtered as spam by the carrier", Action: "review the text: avoid link shorteners and all caps; register your sender (A2P 10DLC)"},
	"30008": {Summary: "unknown delivery error", Action: "retry"},
	"30032": {Summary: "toll-free number not verified", Action: "verify the toll-free number with Twilio"},
	"30034": {Summary: "sender not registered for A2P 10DLC", Action: "register the number's campaign with Twilio"},
}

// ExplainCarrierError describes a provider error code. Unknown codes get
// a generic explanation pointing at Twilio's documentation.
func ExplainCarrierError(code string) CarrierError {
	if e, ok := carrierErrors[code]; ok {
		e.Code = code
		return e
	}
	return CarrierError{Code: code, Summary: "carrier error " + code, Action: "see https://www.twilio.com/docs/api/errors/" + code}
}
