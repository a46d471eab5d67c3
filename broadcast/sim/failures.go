package sim

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"smsbot/broadcast"
)

// Stop is the Failures entry for recipients who text STOP back after a
// text was delivered to them (stop:1%).
const Stop = "stop"

// Failure is one entry of Failures: a share of texts that fail with
// Code, or (Code Stop) a share of delivered texts whose recipient texts
// STOP back.
type Failure struct {
	Code string
	// Percent is the share, more than 0 and at most 100.
	Percent float64
}

// AtSend reports whether the failure is Twilio's answer to the create
// call (an HTTP 400 with the code: nothing is sent), rather than an
// undelivered receipt after the text was accepted.
func (f Failure) AtSend() bool {
	k, ok := failureKinds[f.Code]
	return ok && k.atSend
}

// Failures is the simulated carrier's failure setting
// (SMSBOT_SIM_FAILURES, /sms sim failures): which codes fail which share
// of texts, and the share of recipients who text STOP back. The zero
// value fails nothing.
type Failures []Failure

// failureKind is how Twilio reports a code and with which words.
type failureKind struct {
	atSend  bool   // refused at the create call (400), else an undelivered receipt
	message string // Twilio's error message
}

// failureKinds are the codes the simulated carrier can fail with: those
// whose meaning broadcast.ExplainCarrierError knows and that depend on the
// recipient. Twilio refuses the create call for the 21xxx codes; the 30xxx
// codes come later, as an undelivered status.
var failureKinds = map[string]failureKind{
	"21211": {atSend: true, message: "Invalid 'To' Phone Number"},
	"21408": {atSend: true, message: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number"},
	"21610": {atSend: true, message: "Attempt to send to unsubscribed recipient"},
	"21612": {atSend: true, message: "The 'To' phone number is not currently reachable using the 'From' phone number via SMS."},
	"21614": {atSend: true, message: "'To' number is not a valid mobile number"},
	"30003": {message: "Unreachable destination handset"},
	"30004": {message: "Message blocked"},
	"30005": {message: "Unknown destination handset"},
	"30006": {message: "Landline or unreachable carrier"},
	"30007": {message: "Message filtered"},
	"30008": {message: "Unknown error"},
}

// FailureCodes returns the codes Failures accepts, in order.
func FailureCodes() []string {
	codes := make([]string, 0, len(failureKinds))
	for c := range failureKinds {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return codes
}

// shareRe is a share as organizers write it: 2%, 0.5%, 100%.
var shareRe = regexp.MustCompile(`^[0-9]{1,3}(\.[0-9]{1,4})?%$`)

// ParseFailures reads a failure setting: "off" (or empty) for none, or
// comma-separated code:share entries like "30003:2%,30007:1%,21610:0.5%",
// with "stop:1%" for STOP replies. Codes must be ones smsbot explains
// (FailureCodes); each appears once; the failure shares add up to at most
// 100%. An error names the entry at fault.
func ParseFailures(s string) (Failures, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "off") {
		return nil, nil
	}
	var fs Failures
	total := 0.0
	for _, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		code, share, ok := strings.Cut(entry, ":")
		code, share = strings.ToLower(strings.TrimSpace(code)), strings.TrimSpace(share)
		if !ok || code == "" {
			return nil, broadcast.Errorf(broadcast.EINVALID, "%q is not a code and a share like 30003:2%%", entry)
		}
		if _, known := failureKinds[code]; !known && code != Stop {
			return nil, broadcast.Errorf(broadcast.EINVALID, "%q: %s is not a code the simulated carrier fails with; use %s, or stop for STOP replies",
				entry, code, strings.Join(FailureCodes(), ", "))
		}
		if !shareRe.MatchString(share) {
			return nil, broadcast.Errorf(broadcast.EINVALID, "%q is not a share like 2%%", entry)
		}
		pct, err := strconv.ParseFloat(strings.TrimSuffix(share, "%"), 64)
		if err != nil || pct <= 0 || pct > 100 {
			return nil, broadcast.Errorf(broadcast.EINVALID, "%q: a share must be more than 0%% and at most 100%%", entry)
		}
		if slices.ContainsFunc(fs, func(f Failure) bool { return f.Code == code }) {
			return nil, broadcast.Errorf(broadcast.EINVALID, "%q: %s is given twice", entry, code)
		}
		if code != Stop {
			total += pct
		}
		fs = append(fs, Failure{Code: code, Percent: pct})
	}
	if total > 100+1e-9 {
		return nil, broadcast.Errorf(broadcast.EINVALID, "%q: the failures add up to %s%%, more than 100%%", s, formatPercent(total))
	}
	return fs, nil
}

// String returns the setting as ParseFailures reads it: "off", or the
// entries like "30003:2%,stop:1%".
func (fs Failures) String() string {
	if len(fs) == 0 {
		return "off"
	}
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.Code + ":" + formatPercent(f.Percent) + "%"
	}
	return strings.Join(parts, ",")
}

func formatPercent(p float64) string { return strconv.FormatFloat(p, 'f', -1, 64) }

// pick returns the failure a draw u in [0, 100) falls in, if any: the
// failure codes take consecutive slices of 100 in their order.
func (fs Failures) pick(u float64) (Failure, bool) {
	at := 0.0
	for _, f := range fs {
		if f.Code == Stop {
			continue
		}
		if at += f.Percent; u < at {
			return f, true
		}
	}
	return Failure{}, false
}

// stopPercent is the share of delivered texts answered with STOP.
func (fs Failures) stopPercent() float64 {
	for _, f := range fs {
		if f.Code == Stop {
			return f.Percent
		}
	}
	return 0
}

// sendError is Twilio's refusal of a create call with code, as the
// Twilio provider classifies it.
func sendError(code string) *broadcast.SendError {
	se := &broadcast.SendError{Class: broadcast.Permanent, Code: code, Message: failureKinds[code].message}
	switch code {
	case "21211", "21614":
		se.Effect = broadcast.FlagInvalid
	case "21610":
		se.Effect = broadcast.MarkOptedOut
	}
	return se
}
