package broadcast

import (
	"errors"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// DefaultRegion is the region national numbers are read in when none is
// configured.
const DefaultRegion = "US"

// NormalizePhone returns raw as an E.164 number. National numbers are read
// in region (an ISO 3166 code like "US" or "GB"); "+" and "00" prefixes,
// punctuation, spaces and extensions ("x12") are handled. Numbers that
// cannot be texted get an EINVALID error whose message says why.
func NormalizePhone(raw, region string) (string, error) {
	e164, reason := CheckPhone(raw, region)
	switch {
	case reason == "":
		return e164, nil
	case strings.TrimSpace(raw) == "":
		return "", Errorf(EINVALID, "the phone number is empty")
	case strings.HasPrefix(reason, "not a valid number for"):
		return "", Errorf(EINVALID, "%q is %s", raw, reason)
	}
	return "", Errorf(EINVALID, "%q is not a phone number: %s", raw, reason)
}

// CheckPhone is NormalizePhone for bulk work: it returns the E.164 form,
// or a short reason ("empty", "too short", "too long", "not a number",
// "unknown country code", "not a valid number for US").
func CheckPhone(raw, region string) (e164, reason string) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", "empty"
	}
	if region == "" {
		region = DefaultRegion
	}
	region = strings.ToUpper(region)
	// "00" is the international prefix in most of the world; read it as
	// "+" whatever the region, as a spreadsheet writer meant it.
	if digits := strings.TrimLeft(s, " ("); strings.HasPrefix(digits, "00") {
		s = "+" + strings.TrimPrefix(digits, "00")
	}
	n, err := phonenumbers.Parse(s, region)
	if err != nil {
		return "", parseReason(err)
	}
	// Most numbers belong to the region they were read in, and checking
	// that one region first is twice as fast as trying every region of a
	// shared country code (25 for +1).
	if !phonenumbers.IsValidNumberForRegion(n, region) && !phonenumbers.IsValidNumber(n) {
		switch phonenumbers.IsPossibleNumberWithReason(n) {
		case phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
			return "", "too short: add the area code"
		case phonenumbers.TOO_SHORT, phonenumbers.INVALID_LENGTH:
			return "", "too short"
		case phonenumbers.TOO_LONG:
			return "", "too long"
		}
		where := phonenumbers.GetRegionCodeForNumber(n)
		if where == "" || where == "ZZ" {
			where = region
		}
		return "", "not a valid number for " + where
	}
	return phonenumbers.Format(n, phonenumbers.E164), ""
}

func parseReason(err error) string {
	switch {
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		return "too short"
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return "too long"
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		return "unknown country code"
	}
	return "not a number"
}
