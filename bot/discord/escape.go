package discord

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text from attendees (names, texts, file names) reaches Discord inside the
// router's messages, whose own markup is *bold*, `code` and "> " quotes at
// the start of lines. markdown keeps that markup and escapes the rest, so
// Discord shows everything else as typed:
//
//   - a backslash goes before \ * _ ~ | ` [ ] and <, so no text makes
//     italics, strikes, spoilers, masked links ([tickets](https://evil)),
//     mentions, channel links, timestamps or custom emoji (<@1>, <#1>,
//     <t:1>, <:x:1>); mentions are off in allowed_mentions as well;
//   - # - + > and "1." at the start of a line are escaped (headings,
//     subtext, lists, quotes beyond the router's own);
//   - links stay links, with those characters percent-encoded;
//   - inside the router's `code`, nothing is escaped (Discord shows code
//     as it is).
//
// Before that, invisible characters are cleaned (see cleanRune): controls
// and zero-width characters are removed, and bidirectional overrides are
// shown as ‹U+202E›, so no text can hide or reorder what staff read.

// piece is a run of escaped text that is kept or dropped whole, so that
// clipping never cuts an escape in half; closer is what must follow if the
// text is cut after it (the end of an open **bold** or `code`).
type piece struct {
	s, closer string
}

var (
	codeRe = regexp.MustCompile("^`[^`\n]+`")
	boldRe = regexp.MustCompile(`^\*(\S(?:[^*\n]*\S)?)\*`) // the router's *bold*, which is Slack's
	urlRe  = regexp.MustCompile(`^https?://[^\s<>]+`)
	listRe = regexp.MustCompile(`^[0-9]+\.`) // an ordered list's "1."
)

// escaped are the characters escaped wherever they are.
const escaped = "\\*_~|`[]<"

// markdown escapes s for Discord's markdown and returns it in pieces.
func markdown(s string) []piece {
	s = clean(s)
	var out []piece
	add := func(s, closer string) { out = append(out, piece{s, closer}) }
	lineStart := true
	for s != "" {
		if lineStart {
			lineStart = false
			if strings.HasPrefix(s, "> ") {
				add("> ", "")
				s = s[2:]
			}
			for s != "" && (s[0] == ' ' || s[0] == '\t') {
				add(s[:1], "")
				s = s[1:]
			}
			if m := listRe.FindString(s); m != "" {
				add(m[:len(m)-1]+`\.`, "")
				s = s[len(m):]
				continue
			}
			if s != "" && strings.IndexByte("#->+", s[0]) >= 0 {
				add(`\`+s[:1], "")
				s = s[1:]
				continue
			}
			if s == "" {
				break
			}
		}
		if m := codeRe.FindString(s); s[0] == '`' && m != "" {
			add("`", "`")
			for rest := m[1 : len(m)-1]; rest != ""; {
				n := clusterEnd(rest)
				add(rest[:n], "`")
				rest = rest[n:]
			}
			add("`", "")
			s = s[len(m):]
			continue
		}
		if m := boldRe.FindStringSubmatch(s); s[0] == '*' && m != nil {
			add("**", "**")
			for _, p := range inline(m[1]) {
				add(p, "**")
			}
			add("**", "")
			s = s[len(m[0]):]
			continue
		}
		if s[0] == '\n' {
			add("\n", "")
			s = s[1:]
			lineStart = true
			continue
		}
		n := inlineEnd(s)
		for _, p := range inline(s[:n]) {
			add(p, "")
		}
		s = s[n:]
	}
	return out
}

// inlineEnd is where the text at the start of s ends: at the next line,
// or the next `code` or *bold* (but inside a link).
func inlineEnd(s string) int {
	for i := 0; i < len(s); {
		if m := urlRe.FindString(s[i:]); s[i] == 'h' && m != "" {
			i += len(m)
			continue
		}
		if i > 0 && (s[i] == '`' || s[i] == '*') || s[i] == '\n' {
			return max(i, 1)
		}
		i++
	}
	return len(s)
}

// inline escapes text within a line: characters (with what extends them)
// and links, one piece each.
func inline(s string) []string {
	var out []string
	for s != "" {
		if m := urlRe.FindString(s); s[0] == 'h' && m != "" {
			out = append(out, percentEncode(m))
			s = s[len(m):]
			continue
		}
		n := clusterEnd(s)
		c := s[:n]
		if strings.IndexByte(escaped, c[0]) >= 0 {
			c = `\` + c
		}
		out = append(out, c)
		s = s[n:]
	}
	return out
}

// percentEncode writes the markdown characters of a link as %XX: the
// same link to a browser, nothing to Discord's markdown.
func percentEncode(u string) string {
	var b strings.Builder
	for i := 0; i < len(u); i++ {
		if strings.IndexByte(escaped, u[i]) >= 0 {
			fmt.Fprintf(&b, "%%%02X", u[i])
		} else {
			b.WriteByte(u[i])
		}
	}
	return b.String()
}

// fit escapes s for Discord's markdown and clips it to at most n UTF-16
// units, between escapes, ending in "…" (and closing the markup it is
// in) when cut.
func fit(s string, n int) string {
	pieces := markdown(s)
	total := 0
	for _, p := range pieces {
		total += units(p.s)
	}
	var b strings.Builder
	if total <= n {
		for _, p := range pieces {
			b.WriteString(p.s)
		}
		return b.String()
	}
	used, closer := 0, ""
	for _, p := range pieces {
		if used+units(p.s)+units(ellipsis)+units(p.closer) > n {
			break
		}
		used += units(p.s)
		b.WriteString(p.s)
		closer = p.closer
	}
	return strings.TrimRight(b.String(), " ") + ellipsis + closer
}

// plain cleans s for text Discord shows without markdown (button labels,
// thread names, choices): invisible characters as in markdown, and
// newlines as spaces; then clips it to n units.
func plain(s string, n int) string {
	s = strings.Join(strings.Fields(strings.ReplaceAll(clean(s), "\n", " ")), " ")
	return clip(s, n)
}

// clean removes controls (but newline and tab) and invisible characters,
// and shows bidirectional controls; see cleanRune.
func clean(s string) string {
	var b strings.Builder
	var prev rune
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		next := rune(0)
		if i+n < len(s) {
			next, _ = utf8.DecodeRuneInString(s[i+n:])
		}
		c := cleanRune(prev, r, next)
		b.WriteString(c)
		if c != "" {
			prev, _ = utf8.DecodeLastRuneInString(c)
		}
		i += n
	}
	return b.String()
}

// cleanRune is what r becomes between prev and next:
//   - controls other than newline and tab: nothing; U+2028 and U+2029: a
//     newline;
//   - bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E,
//     U+200F, U+061C), which can reorder what staff read: ‹U+202E›;
//   - zero-width and other invisible characters (U+200B, U+2060–U+2064,
//     U+FEFF, U+00AD, U+034F, U+180E, Hangul fillers, variation selectors
//     17–256, tags): nothing, except a zero-width joiner between two
//     symbols (👩‍💻), a non-joiner between letters (Persian), and tags after
//     🏴 (subdivision flags).
func cleanRune(prev, r, next rune) string {
	switch {
	case r == '\n' || r == '\t':
		return string(r)
	case r == '\u2028' || r == '\u2029':
		return "\n"
	case r == utf8.RuneError:
		return "\uFFFD"
	case unicode.IsControl(r):
		return ""
	case r == '\u061c' || r == '\u200e' || r == '\u200f' || r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069':
		return fmt.Sprintf("‹U+%04X›", r)
	case r == zwj:
		if symbol(prev) && symbol(next) {
			return string(r)
		}
		return ""
	case r == '\u200c':
		if unicode.IsLetter(prev) && unicode.IsLetter(next) {
			return string(r)
		}
		return ""
	case r >= 0xe0020 && r <= 0xe007f:
		if prev == 0x1f3f4 || prev >= 0xe0020 && prev <= 0xe007f {
			return string(r)
		}
		return ""
	case r == '\u200b' || r >= '\u2060' && r <= '\u2064' || r == '\ufeff' || r == '\u00ad' || r == '\u034f' || r == '\u180e' ||
		r == '\u115f' || r == '\u1160' || r == '\u3164' || r == '\uffa0' || r >= 0xe0100 && r <= 0xe01ef || r >= 0xe0000 && r <= 0xe001f:
		return ""
	case unicode.Is(unicode.Cf, r) && (r < '\u0600' || r > '\u0605'):
		return "" // other format characters, invisible (but Arabic number signs)
	}
	return string(r)
}

// symbol reports whether r can be joined into an emoji (👩‍💻, 🏳️‍🌈).
func symbol(r rune) bool {
	return unicode.In(r, unicode.So, unicode.Sk) || r >= 0xfe00 && r <= 0xfe0f || r >= 0x1f3fb && r <= 0x1f3ff || r == '\u2640' || r == '\u2642'
}
