package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"smsbot/broadcast"
)

// SimFailure is one entry of the simulated carrier's failure setting: a
// share of texts failing with Code, or (Code "stop") a share of
// recipients texting STOP back after delivery.
type SimFailure struct {
	Code    string
	Percent float64 // more than 0, at most 100
	// AtSend says the code refuses the send (Twilio's 400 answer), rather
	// than arriving as an undelivered receipt.
	AtSend bool
}

// SimFailures is a Simulator whose carrier fails texts on purpose
// (SMSBOT_SIM_FAILURES): /sms sim failures shows and changes the setting
// when Config.Simulator implements it.
type SimFailures interface {
	// SimFailures returns the setting; empty when off.
	SimFailures() []SimFailure
	// SetSimFailures reads spec as SMSBOT_SIM_FAILURES is read ("off",
	// or entries like 30003:2%,stop:1%) and applies it to texts sent from
	// then on. A refused spec changes nothing: an EINVALID error names the
	// entry at fault.
	SetSimFailures(spec string) ([]SimFailure, error)
}

// simStop is the code of STOP replies in a failure setting.
const simStop = "stop"

// exampleSimFailures is the setting the answers suggest.
const exampleSimFailures = "30003:2%,30007:1%,21610:0.5%,stop:1%"

// simFailuresCmd shows or changes the simulated carrier's failures:
// /sms sim failures [<setting>|off].
func (r *Router) simFailuresCmd(_ context.Context, user, args string) (Message, error) {
	sf, ok := r.cfg.Simulator.(SimFailures)
	if !ok {
		return Message{}, broadcast.Errorf(broadcast.EINVALID, "/sms sim failures only works on the simulated carrier (without TWILIO_ACCOUNT_SID)")
	}
	spec := strings.TrimSpace(args)
	if spec == "" {
		return Message{Title: "Simulated failures", Text: describeSimFailures(sf.SimFailures())}, nil
	}
	fs, err := sf.SetSimFailures(spec)
	if err != nil {
		return Message{}, err
	}
	r.log.Info("simulated failures changed", "user", user, "setting", simFailureSpec(fs))
	return Message{Title: "Simulated failures changed", Text: describeSimFailures(fs)}, nil
}

// simFailureSpec writes fs as SMSBOT_SIM_FAILURES takes it.
func simFailureSpec(fs []SimFailure) string {
	if len(fs) == 0 {
		return "off"
	}
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.Code + ":" + percent(f.Percent)
	}
	return strings.Join(parts, ",")
}

func percent(p float64) string { return strconv.FormatFloat(p, 'f', -1, 64) + "%" }

// describeSimFailures says what the setting does, code by code, with the
// failure explanations /sms stats gives.
func describeSimFailures(fs []SimFailure) string {
	if len(fs) == 0 {
		return fmt.Sprintf("Off: every simulated text is delivered. Try `/sms sim failures %s`.", exampleSimFailures)
	}
	lines := []string{fmt.Sprintf("`%s`", simFailureSpec(fs))}
	for _, f := range fs {
		switch {
		case f.Code == simStop:
			lines = append(lines, fmt.Sprintf("• STOP: %s of recipients text STOP back after delivery (they are opted out)", percent(f.Percent)))
		case f.AtSend:
			lines = append(lines, fmt.Sprintf("• %s %s: %s of texts, refused at the send", f.Code, broadcast.ExplainCarrierError(f.Code).Summary, percent(f.Percent)))
		default:
			lines = append(lines, fmt.Sprintf("• %s %s: %s of texts, undelivered a few seconds after the send", f.Code, broadcast.ExplainCarrierError(f.Code).Summary, percent(f.Percent)))
		}
	}
	lines = append(lines, "Change it with `/sms sim failures <setting>`, or `/sms sim failures off`.")
	return strings.Join(lines, "\n")
}
