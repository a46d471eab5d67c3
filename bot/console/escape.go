package console

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape writes s so that a terminal shows it and does nothing else with
// it. An attendee's text or name can carry escape sequences that move the
// cursor, recolour or clear the screen, retitle the window or (in some
// terminals) write files, and invisible characters that reorder or hide
// text. Escape shows them instead, in Go's notation:
//
//   - C0 controls and DEL as \x1b, \x07, \x7f; tab and carriage return as
//     \t and \r; a line break stays one unless oneLine is set (then \n);
//   - C1 controls (U+0080–U+009F: 8-bit CSI, OSC…), Unicode format
//     characters (bidirectional overrides and isolates such as U+202E,
//     zero-width spaces, U+FEFF, soft hyphens, tag characters) and the
//     line and paragraph separators as \u202e or \U000e0041;
//   - each byte that is not UTF-8 as \x9b.
//
// Zero-width joiners and non-joiners (U+200D, U+200C) stay: emoji and
// several scripts are written with them, and they show nothing alone.
func Escape(s string, oneLine bool) string {
	if clean(s, oneLine) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' && !oneLine:
			b.WriteByte('\n')
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case hidden(r) && r > 0xffff:
			fmt.Fprintf(&b, `\U%08x`, r)
		case hidden(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// clean reports whether Escape would leave s as it is.
func clean(s string, oneLine bool) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && (c != '\n' || oneLine) || c == 0x7f || c >= 0x80 {
			return cleanSlow(s[i:], oneLine)
		}
	}
	return true
}

func cleanSlow(s string, oneLine bool) bool {
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 && (r != '\n' || oneLine) || r == 0x7f || hidden(r) {
			return false // a literal U+FFFD takes the long way and stays
		}
	}
	return true
}

// hidden reports whether r is a C1 control, a format character or a line
// or paragraph separator, other than the joiners.
func hidden(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f, r == 0x2028, r == 0x2029:
		return true
	case r == 0x200c, r == 0x200d:
		return false
	}
	return unicode.Is(unicode.Cf, r)
}
