package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// clip shortens s to at most max UTF-16 code units, the unit Slack and
// Discord count in, ending it with "…" when it is cut. It cuts between
// characters, never inside a surrogate pair, and not between a character
// and the combining marks, joiners or variation selectors that follow it.
// Clip before escaping or quoting, never after, so no escape is cut in
// half.
func clip(s string, max int) string {
	if utf16Len(s) <= max {
		return s
	}
	units, cut := 1, 0 // the "…" is one unit
	for cut < len(s) {
		r, size := utf8.DecodeRuneInString(s[cut:])
		n := 1 // invalid UTF-8 is sent as U+FFFD, one unit
		if r >= 0x10000 {
			n = 2 // a surrogate pair
		}
		if units+n > max {
			break
		}
		units += n
		cut += size
	}
	for cut > 0 {
		next, _ := utf8.DecodeRuneInString(s[cut:])
		if !clings(next) {
			break
		}
		_, size := utf8.DecodeLastRuneInString(s[:cut])
		cut -= size
	}
	for strings.HasSuffix(s[:cut], "\u200d") {
		cut -= len("\u200d") // a joiner with nothing to join
	}
	return s[:cut] + "…"
}

// clings reports whether r belongs to the character before it: a
// combining mark, a zero-width joiner or a variation selector.
func clings(r rune) bool {
	return r == 0x200d || unicode.In(r, unicode.Mn, unicode.Me, unicode.Variation_Selector) ||
		r >= 0x1f3fb && r <= 0x1f3ff // skin tones
}

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}
