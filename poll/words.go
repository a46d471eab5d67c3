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

// wordList is a text's words, written one after the other with nothing
// between them in s: word i is s[ends[i-1]:ends[i]], and words a to b
// compacted (see compact) are the substring s[start(a):ends[b-1]].
type wordList struct {
	s    string
	ends []int
}

// n is the number of words.
func (l wordList) n() int { return len(l.ends) }

// start is where word i starts in s.
func (l wordList) start(i int) int {
	if i == 0 {
		return 0
	}
	return l.ends[i-1]
}

// word is word i.
func (l wordList) word(i int) string { return l.s[l.start(i):l.ends[i]] }

// compact is words a to b (b excluded) joined, which is how a reply and a
// label are compared: "5 PM shuttle", "5pm shuttle" and "5-pm Shuttle" are
// all "5pmshuttle".
func (l wordList) compact(a, b int) string { return l.s[l.start(a):l.start(b)] }

// words splits s into the words a reply is matched on: runs of letters and
// digits, lowercased, with accents removed (NFKD, then every combining mark
// dropped), so "Café" is "cafe", "ＯＫ" is "ok" and "①" or "١" is "1", and
// the letters NFKD keeps whole spelled out (see fold): "Bœuf" is "boeuf".
// 👍, ✅, ✔ and ☑ become the word "👍"; 👎, ❌, ✖ and ✗ become "👎"
// (skin tones and variation selectors are dropped). Every other character,
// control characters and invalid UTF-8 included, separates words, while
// apostrophes ("I'll" is "ill") and format characters (soft hyphens, joiners)
// are dropped. words keeps at most max words and reports whether there were
// more.
func words(s string, max int) (l wordList, more bool) {
	buf, ends, more := appendWords(make([]byte, 0, len(s)), make([]int, 0, 8), s, max)
	return wordList{string(buf), ends}, more
}

// appendWords is words appending to buf and ends: it appends s's words to
// buf, and their ends, counted from the end of buf as it came, to ends.
// Each character is decomposed on its own (NFKD), which is all it takes
// since every combining mark is then dropped, and allocates nothing.
func appendWords(buf []byte, ends []int, s string, max int) ([]byte, []int, bool) {
	w := splitter{buf: buf, ends: ends, base: len(buf), first: len(ends)}
	for i := 0; i < len(s) && len(w.ends)-w.first <= max; {
		if c := s[i]; c < utf8.RuneSelf {
			w.add(rune(c))
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if d := norm.NFKD.PropertiesString(s[i:]).Decomposition(); d != nil {
			for _, dr := range string(d) {
				w.add(dr)
			}
		} else {
			w.add(r)
		}
		i += size
	}
	w.flush()
	if len(w.ends)-w.first <= max {
		return w.buf, w.ends, false
	}
	w.ends = w.ends[:w.first+max]
	end := 0
	if max > 0 {
		end = w.ends[len(w.ends)-1]
	}
	return w.buf[:w.base+end], w.ends, true
}

// splitter is appendWords' state.
type splitter struct {
	buf         []byte
	ends        []int
	base, first int // len(buf) and len(ends) when it started
}

// flush ends the current word, if there is one.
func (w *splitter) flush() {
	end := len(w.buf) - w.base
	if n := len(w.ends); end > 0 && (n == w.first || w.ends[n-1] < end) {
		w.ends = append(w.ends, end)
	}
}

// add takes one decomposed character.
func (w *splitter) add(r rune) {
	switch {
	case r < utf8.RuneSelf:
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			w.buf = append(w.buf, byte(r))
		case 'A' <= r && r <= 'Z':
			w.buf = append(w.buf, byte(r-'A'+'a'))
		case r == '\'':
			// "I'll", "can't", "y'all" are one word
		default:
			w.flush()
		}
	case unicode.Is(unicode.M, r), unicode.Is(unicode.Cf, r), r == '’', r == 'ʼ':
		// combining accents, zero-width joiners, soft hyphens, typographic
		// apostrophes
	case unicode.IsDigit(r):
		w.buf = append(w.buf, digitValue(r))
	case unicode.IsLetter(r):
		r = unicode.ToLower(r)
		if f := fold(r); f != "" {
			w.buf = append(w.buf, f...)
		} else {
			w.buf = utf8.AppendRune(w.buf, r)
		}
	case r == '👍' || r == '✅' || r == '✔' || r == '☑':
		w.flush()
		w.buf = append(w.buf, thumbsUp...)
		w.flush()
	case r == '👎' || r == '❌' || r == '✖' || r == '✗':
		w.flush()
		w.buf = append(w.buf, thumbsDown...)
		w.flush()
	default:
		w.flush()
	}
}

// fold spells the lowercase Latin letters that NFKD leaves whole in ASCII,
// as they are typed without them: "bœuf" is "boeuf", "Straße" "strasse",
// "Søren" "soren". It returns "" for any other letter.
func fold(r rune) string {
	switch r {
	case 'œ':
		return "oe"
	case 'æ':
		return "ae"
	case 'ß':
		return "ss"
	case 'ø':
		return "o"
	case 'ł':
		return "l"
	case 'đ', 'ð':
		return "d"
	case 'þ':
		return "th"
	case 'ı':
		return "i"
	}
	return ""
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

// squeeze folds the long runs of one ASCII letter in w: a run of three or
// more becomes keep letters, and with keep 1 a doubled last letter becomes
// one, so "yesss", "yess", "Noooo" and "okkk" fold to yes and no words
// (keep 1) and "illllbethere" to "illbethere" (keep 2). Runs of two inside
// a word are kept: "noon" is not "non". It returns w itself when nothing
// folds.
func squeeze(w string, keep int) string {
	if !folds(w, keep) {
		return w
	}
	b := make([]byte, 0, len(w))
	for i := 0; i < len(w); {
		j := i + 1
		for j < len(w) && w[j] == w[i] {
			j++
		}
		n := j - i
		if isLower(w[i]) && (n >= 3 || (keep == 1 && n == 2 && j == len(w))) {
			n = keep
		}
		for ; n > 0; n-- {
			b = append(b, w[i])
		}
		i = j
	}
	return string(b)
}

// folds reports whether squeeze(w, keep) changes w.
func folds(w string, keep int) bool {
	for i := 0; i+1 < len(w); i++ {
		if w[i] != w[i+1] || !isLower(w[i]) {
			continue
		}
		if i+2 < len(w) && w[i+2] == w[i] || keep == 1 && i+2 == len(w) {
			return true
		}
	}
	return false
}

// isLower reports whether c is an ASCII lowercase letter.
func isLower(c byte) bool { return 'a' <= c && c <= 'z' }

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
