package inbound

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// sidPattern is the shape of a Twilio message SID: two capital letters
// (SM for SMS, MM for MMS) and 32 lowercase hex digits.
var sidPattern = regexp.MustCompile(`^[A-Z]{2}[0-9a-f]{32}$`)

// ValidSID reports whether sid looks like a Twilio message SID,
// ^[A-Z]{2}[0-9a-f]{32}$. Webhooks answer 400 to any other, and polling
// skips texts and receipts that carry one.
func ValidSID(sid string) bool { return sidPattern.MatchString(sid) }

// CleanField makes one incoming field safe to store and show: invalid
// UTF-8 becomes U+FFFD, and NUL and the other C0 control characters are
// removed, except newline and tab. A carriage return is dropped too, so
// CRLF becomes LF.
func CleanField(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexFunc(s, isStripped) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isStripped(r) {
			return -1
		}
		return r
	}, s)
}

// isStripped reports the C0 controls CleanField removes.
func isStripped(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' }

// Clean returns t with every field cleaned by CleanField. The SID, phone
// numbers and media URLs also lose surrounding space.
func Clean(t Text) Text {
	t.SID = strings.TrimSpace(CleanField(t.SID))
	t.From = strings.TrimSpace(CleanField(t.From))
	t.To = strings.TrimSpace(CleanField(t.To))
	t.Body = CleanField(t.Body)
	if t.Media != nil {
		media := make([]string, 0, len(t.Media))
		for _, u := range t.Media {
			if u = strings.TrimSpace(CleanField(u)); u != "" {
				media = append(media, u)
			}
		}
		t.Media = media
	}
	return t
}

// cleanCode keeps a carrier error code only when it is a number of at
// most six digits, as Twilio's are; anything else is dropped.
func cleanCode(code string) string {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 6 || strings.IndexFunc(code, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return ""
	}
	return code
}
