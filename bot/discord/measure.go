package discord

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Discord's API counts a string's length in code points (it is written in
// Python: discord-api-docs#1315); libraries such as discord.js count UTF-16
// code units. smsbot measures every limit in UTF-16 code units, the
// stricter of the two (an emoji is 1 code point and 2 units), so what it
// sends fits under either count.

// units is the length of s in UTF-16 code units.
func units(s string) int {
	n := 0
	for _, r := range s {
		n += runeUnits(r)
	}
	return n
}

func runeUnits(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// ellipsis ends a clipped text.
const ellipsis = "…"

// clusterEnd returns the length in bytes of the user-perceived character
// at the start of s: a rune with the combining marks, variation
// selectors, skin tones and emoji tags that follow it, the runes joined to
// it by a zero-width joiner, or a pair of regional indicators (a flag).
// Clipping between clusters never leaves half a character.
func clusterEnd(s string) int {
	r, i := utf8.DecodeRuneInString(s)
	if isRegional(r) {
		if r2, n := utf8.DecodeRuneInString(s[i:]); isRegional(r2) {
			return i + n
		}
		return i
	}
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case extends(r):
			i += n
		case r == zwj && i+n < len(s):
			_, n2 := utf8.DecodeRuneInString(s[i+n:])
			i += n + n2
		default:
			return i
		}
	}
	return i
}

const zwj = '\u200d'

func isRegional(r rune) bool { return r >= 0x1f1e6 && r <= 0x1f1ff }

// extends reports whether r belongs to the character before it.
func extends(r rune) bool {
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) ||
		r >= 0xfe00 && r <= 0xfe0f || // variation selectors (emoji or text style)
		r >= 0x1f3fb && r <= 0x1f3ff || // skin tones
		r >= 0xe0020 && r <= 0xe007f // emoji tags (subdivision flags)
}

// clip shortens s to at most n UTF-16 units, between characters, ending in
// "…" when cut. It is for plain text that Discord shows as it is (button
// labels, thread names, choices); see fit for markdown.
func clip(s string, n int) string {
	if units(s) <= n {
		return s
	}
	var b strings.Builder
	used := units(ellipsis)
	for rest := s; rest != ""; {
		c := rest[:clusterEnd(rest)]
		if used+units(c) > n {
			break
		}
		used += units(c)
		b.WriteString(c)
		rest = rest[len(c):]
	}
	return b.String() + ellipsis
}
