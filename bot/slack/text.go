package slack

import (
	"fmt"
	"strings"
	"unicode"
)

// size measures text as this adapter checks Slack's limits: in UTF-8
// bytes. Slack documents its limits in "characters" without saying whether
// it means code points, UTF-16 code units or bytes. For every string code
// points ≤ UTF-16 units ≤ UTF-8 bytes, so a text that fits in bytes fits
// whichever Slack counts: "é" is 2, "中" 3, "😀" 4 and "e\u0301" 3.
// Texts are measured as sent, escapes included (&amp; is 5).
func size(s string) int { return len(s) }

// ellipsis ends a text that was cut.
const ellipsis = "…"

// escaper turns text that smsbot shows (attendees' names and texts
// among it) into Slack mrkdwn that shows it as typed, and cuts it to fit
// Slack's limits without breaking an escape or a character.
//
// Following https://api.slack.com/reference/surfaces/formatting#escaping,
// &, < and > become &amp;, &lt; and &gt;: every mention (<!channel>,
// <@U…>, <#C…>), date and masked link (<https://evil|text>) starts with
// "<", so none survives. A ">" that starts a line is left alone: it is the
// router's quote marker (attendees' texts are quoted line by line). Slack
// mrkdwn has no escape for *bold*, _italic_, ~strike~ or `code`, which
// render but can neither link, mention nor leave the quote.
//
// Characters that reorder or hide text are shown by name instead, as
// [U+202E]: the bidirectional embeddings, overrides and isolates
// (U+202A–U+202E, U+2066–U+2069), zero-width and other invisible
// characters (U+200B, U+2060–U+2064, U+FEFF, U+180E, Hangul fillers), the
// line and paragraph separators, and control characters other than
// newline and tab. A carriage return is dropped. Zero-width joiners and
// non-joiners and variation selectors are kept: emoji and several scripts
// need them; tag characters only after a black flag (🏴, subdivision
// flags).
//
// A plain escaper (for plain_text objects, which Slack does not parse)
// leaves &, < and > alone and names the same characters.
type escaper struct {
	plain     bool
	lineStart bool // the next character starts a line
	prev      rune
	riRun     int // regional indicators just before (flags are pairs)
}

func newEscaper() *escaper { return &escaper{lineStart: true} }

// escape returns s escaped as a whole.
func escape(s string) string {
	var b strings.Builder
	e := newEscaper()
	for _, r := range s {
		b.WriteString(e.rune(r))
	}
	return b.String()
}

// rune returns r escaped, and moves the escaper past it.
func (e *escaper) rune(r rune) string {
	out := e.render(r)
	e.lineStart = r == '\n' || (e.lineStart && out == "")
	if isRegional(r) {
		e.riRun++
	} else {
		e.riRun = 0
	}
	e.prev = r
	return out
}

func (e *escaper) render(r rune) string {
	switch {
	case e.plain && (r == '&' || r == '<' || r == '>'):
		return string(r)
	case r == '&':
		return "&amp;"
	case r == '<':
		return "&lt;"
	case r == '>':
		if e.lineStart {
			return ">"
		}
		return "&gt;"
	case r == '\r':
		return ""
	case r == '\n' || r == '\t':
		return string(r)
	case r >= 0xE0020 && r <= 0xE007F: // tags
		if e.prev == 0x1F3F4 || (e.prev >= 0xE0020 && e.prev <= 0xE007F) {
			return string(r)
		}
		return named(r)
	case hidden(r):
		return named(r)
	}
	return string(r)
}

func named(r rune) string { return fmt.Sprintf("[U+%04X]", r) }

// hidden reports the characters that escaper shows by name.
func hidden(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7F || (r >= 0x80 && r <= 0x9F): // control characters
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069: // bidi embeddings, overrides, isolates
		return true
	case r == 0x200B, r >= 0x2060 && r <= 0x2064, r == 0xFEFF, r == 0x180E: // zero width, invisible operators
		return true
	case r == 0x2028 || r == 0x2029: // line and paragraph separators
		return true
	case r == 0x115F, r == 0x1160, r == 0x3164, r == 0xFFA0: // Hangul fillers (blank names)
		return true
	}
	return false
}

// extends reports whether r belongs to the character before it (after
// prev), so that a text is never cut between them: combining marks,
// joiners and what they join, variation selectors, skin tones, tags, and
// the second half of a flag.
func (e *escaper) extends(r rune) bool {
	switch {
	case e.prev == 0:
		return false
	case e.prev == 0x200D: // ZWJ joins the next character
		return true
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc):
		return true
	case r == 0x200D, r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0100 && r <= 0xE01EF, r >= 0x1F3FB && r <= 0x1F3FF:
		return true
	case r >= 0xE0020 && r <= 0xE007F:
		return e.prev == 0x1F3F4 || (e.prev >= 0xE0020 && e.prev <= 0xE007F)
	case isRegional(r):
		return e.riRun%2 == 1
	case r >= 0x1160 && r <= 0x11FF, r >= 0xD7B0 && r <= 0xD7FB: // Hangul vowel and final jamo
		return isHangul(e.prev)
	}
	return false
}

// isHangul reports Hangul jamo and syllables, which conjoin.
func isHangul(r rune) bool {
	return r >= 0x1100 && r <= 0x11FF || r >= 0xA960 && r <= 0xA97F || r >= 0xD7B0 && r <= 0xD7FF || r >= 0xAC00 && r <= 0xD7A3
}

func isRegional(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

// fit escapes s and cuts it, at a character's boundary and never inside
// an escape, so that it takes at most n (size); a cut text ends in "…".
func fit(s string, n int) string { return fitWith(newEscaper, s, n) }

// fitPlain is fit for plain_text: only hidden characters are named.
func fitPlain(s string, n int) string {
	return fitWith(func() *escaper { return &escaper{plain: true, lineStart: true} }, s, n)
}

func fitWith(esc func() *escaper, s string, n int) string {
	out, rest := take(esc(), s, n, false)
	if rest == "" {
		return out
	}
	out, _ = take(esc(), s, n-size(ellipsis), false)
	return out + ellipsis
}

// take escapes as much of s as fits in n, whole characters only, and
// returns it and the rest of s; e is left after what it took. With
// atNewline, a text that does not fit whole is cut after a newline when
// there is one in the second half of what fits.
func take(e *escaper, s string, n int, atNewline bool) (string, string) {
	type boundary struct {
		in, out int // offsets in s and in the output
		e       escaper
	}
	var b strings.Builder
	var cut boundary
	nl := boundary{in: -1}
	for i, r := range s {
		if !e.extends(r) {
			cut = boundary{i, b.Len(), *e}
			if i > 0 && s[i-1] == '\n' {
				nl = cut
			}
		}
		out := e.rune(r)
		if b.Len()+size(out) > n {
			if atNewline && nl.in > 0 && nl.out >= n/2 {
				cut = nl
			}
			*e = cut.e
			return b.String()[:cut.out], s[cut.in:]
		}
		b.WriteString(out)
	}
	return b.String(), ""
}

// pieces escapes s into at most max parts of at most n each, together at
// most total, cut after a newline where one is near. When s does not fit,
// the last part ends in "…".
func pieces(s string, n, total, max int) []string {
	const least = 16 // a part shorter than this is not worth a block
	var parts []string
	e := newEscaper()
	for s != "" && len(parts) < max {
		limit := min(n, total)
		if limit < least {
			break
		}
		before := *e
		part, rest := take(e, s, limit, true)
		if rest != "" && (len(parts) == max-1 || total-size(part) < least) {
			*e = before
			part, _ = take(e, s, limit-size(ellipsis), true)
			part, rest = part+ellipsis, ""
		}
		if part == "" || part == ellipsis && len(parts) > 0 {
			break
		}
		parts = append(parts, part)
		total -= size(part)
		s = rest
	}
	return parts
}
