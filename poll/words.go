package poll

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The words that stand for the thumbs and the check and cross marks.
const (
	thumbsUp   = "👍"
	thumbsDown = "👎"
)

// words splits s into the words a reply is matched on: runs of letters and
// digits, lowercased, with accents removed (NFKD, then every combining mark
// dropped), so "Café" is "cafe", "ＯＫ" is "ok" and "①" or "١" is "1".
// 👍, ✅, ✔ and ☑ become the word "👍"; 👎, ❌, ✖ and ✗ become "👎"
// (skin tones and variation selectors are dropped). Every other character,
// control characters and invalid UTF-8 included, separates words, while
// apostrophes ("I'll" is "ill") and format characters (soft hyphens, joiners)
// are dropped. words stops after max
// words and then reports more.
func words(s string, max int) (ws []string, more bool) {
	if !isASCII(s) {
		s = norm.NFKD.String(s)
	}
	var w []byte
	flush := func() {
		if len(w) > 0 {
			ws = append(ws, string(w))
			w = w[:0]
		}
	}
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			switch {
			case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
				w = append(w, byte(r))
			case 'A' <= r && r <= 'Z':
				w = append(w, byte(r-'A'+'a'))
			case r == '\'':
				// "I'll", "can't", "y'all" are one word
			default:
				flush()
			}
		case unicode.Is(unicode.M, r), unicode.Is(unicode.Cf, r), r == '’', r == 'ʼ':
			// combining accents after NFKD, zero-width joiners, soft
			// hyphens, typographic apostrophes
		case unicode.IsDigit(r):
			w = append(w, digitValue(r))
		case unicode.IsLetter(r):
			w = utf8.AppendRune(w, unicode.ToLower(r))
		case r == '👍' || r == '✅' || r == '✔' || r == '☑':
			flush()
			ws = append(ws, thumbsUp)
		case r == '👎' || r == '❌' || r == '✖' || r == '✗':
			flush()
			ws = append(ws, thumbsDown)
		default:
			flush()
		}
		if len(ws) > max {
			return ws[:max], true
		}
	}
	flush()
	if len(ws) > max {
		return ws[:max], true
	}
	return ws, false
}

// digitValue returns the ASCII digit of a decimal digit of any script.
// Unicode keeps each script's digits 0–9 in ten consecutive code points, so
// the value is the distance from the first digit of the run (runs that follow
// each other directly are each ten long).
func digitValue(r rune) byte {
	lo := r
	for unicode.IsDigit(lo - 1) {
		lo--
	}
	return byte('0' + (r-lo)%10)
}

// isASCII reports whether s is all ASCII, which needs no normalization.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// compact joins words into one string, which is how a reply and a label are
// compared: "5 PM shuttle", "5pm shuttle" and "5-pm Shuttle" are all
// "5pmshuttle".
func compact(ws []string) string {
	switch len(ws) {
	case 0:
		return ""
	case 1:
		return ws[0]
	}
	return strings.Join(ws, "")
}

// squeeze folds runs of one letter into one, so "yesss", "Noooo" and "okkk"
// are found among the yes and no words.
func squeeze(w string) string {
	for i := 1; i < len(w); i++ {
		if w[i] == w[i-1] {
			b := []byte(w[:i])
			for j := i; j < len(w); j++ {
				if w[j] != b[len(b)-1] {
					b = append(b, w[j])
				}
			}
			return string(b)
		}
	}
	return w
}

// number returns the option number a single word names: the digits "1" to
// "99" (a leading zero is allowed, "01") or the English words "one" to
// "nine"; 0 for anything else.
func number(w string) int {
	if n, ok := numberWords[w]; ok {
		return n
	}
	if len(w) == 0 || len(w) > 2 {
		return 0
	}
	n := 0
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return 0
		}
		n = n*10 + int(w[i]-'0')
	}
	return n
}

// hasDigit reports whether w holds a digit.
func hasDigit(w string) bool {
	return strings.IndexFunc(w, func(r rune) bool { return '0' <= r && r <= '9' }) >= 0
}
