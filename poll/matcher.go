package poll

import "strings"

// label is an option's label in the form replies are compared in: its
// words, compacted into s.
type label wordList

// startsWith reports whether p is the label's first words (but not all of
// them): "5pm" starts "5pmshuttle", "5pms" does not.
func (l label) startsWith(p string) bool {
	if len(p) >= len(l.s) || !strings.HasPrefix(l.s, p) {
		return false
	}
	for _, e := range l.ends {
		if e == len(p) {
			return true
		}
	}
	return false
}

// matcher names the options that words of a reply stand for.
type matcher struct {
	labels []label
	yesNo  bool
	maxLen int // no longer compacted words name an option
}

// maxLabelWords: words of a label after these are ignored.
const maxLabelWords = 64

// newMatcher prepares the options' labels, all in one string.
func newMatcher(options []string) matcher {
	m := matcher{labels: make([]label, len(options)), maxLen: 2}
	n := 0
	for _, o := range options {
		n += len(o)
	}
	buf, ends := make([]byte, 0, n), make([]int, 0, 4*len(options))
	for i, o := range options {
		first := len(ends)
		buf, ends, _ = appendWords(buf, ends, o, maxLabelWords)
		m.labels[i].ends = ends[first:len(ends):len(ends)]
	}
	s, off := string(buf), 0
	for i := range m.labels {
		l := &m.labels[i]
		end := 0
		if len(l.ends) > 0 {
			end = l.ends[len(l.ends)-1]
		}
		l.s = s[off : off+end]
		off += end
		m.maxLen = max(m.maxLen, end)
	}
	if yesNo(m.labels) {
		m.yesNo = true
		m.maxLen = max(m.maxLen, maxAliasLen)
	}
	return m
}

// tooLong reports whether words a to b of ws are too long to name any
// option. A single word is always tried, for "yesssssssssssssssss".
func (m *matcher) tooLong(ws wordList, a, b int) bool {
	return ws.start(b)-ws.start(a) > m.maxLen
}

// head returns the option that words a to b of ws name, 0 when they name none, or
// ambiguous when they name more than one. In order:
//   - an option whose whole label they are wins over one whose label they
//     only begin ("pizza": "Pizza", not "Pizza with ham");
//   - otherwise a number or yes/no word and a label they begin must agree
//     ("one" beside a second option "One-day pass" is ambiguous);
//   - any disagreement, or two labels, is ambiguous.
func (m *matcher) head(ws wordList, a, b int) (opt int, ambiguous bool) {
	c := ws.compact(a, b)
	if c == "" {
		return 0, false
	}
	alias := 0
	if b-a == 1 {
		if n := number(c); n >= 1 && n <= len(m.labels) {
			alias = n
		}
	}
	if m.yesNo && !hasDigit(c) {
		if yn := yesNoWord(c); yn != 0 {
			if alias != 0 && alias != yn {
				return 0, true
			}
			alias = yn
		}
	}
	exact, prefix := 0, 0
	for i, l := range m.labels {
		switch {
		case l.s == c:
			if exact != 0 {
				return 0, true
			}
			exact = i + 1
		case exact == 0 && len(c) >= minPrefix && l.startsWith(c):
			if prefix != 0 {
				prefix = -1
			} else {
				prefix = i + 1
			}
		}
	}
	if exact != 0 {
		if alias != 0 && alias != exact {
			return 0, true
		}
		return exact, false
	}
	switch {
	case prefix == -1:
		return 0, true
	case prefix == 0:
		return alias, false
	case alias == 0 || alias == prefix:
		return prefix, false
	}
	return 0, true
}
