package poll

import "strings"

// label is an option's label in the form replies are compared in.
type label struct {
	c    string // the label's words, compacted
	ends []int  // where each of the label's words ends in c
}

// startsWith reports whether p is the label's first words (but not all of
// them): "5pm" starts "5pmshuttle", "5pms" does not.
func (l label) startsWith(p string) bool {
	if len(p) >= len(l.c) || !strings.HasPrefix(l.c, p) {
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

// newMatcher prepares the options' labels.
func newMatcher(options []string) *matcher {
	m := &matcher{labels: make([]label, len(options)), maxLen: 2}
	for i, o := range options {
		ws, _ := words(o, 64)
		l := label{c: compact(ws), ends: make([]int, len(ws))}
		n := 0
		for j, w := range ws {
			n += len(w)
			l.ends[j] = n
		}
		m.labels[i] = l
		m.maxLen = max(m.maxLen, len(l.c))
	}
	if yesNo(m.labels) {
		m.yesNo = true
		m.maxLen = max(m.maxLen, maxAliasLen)
	}
	return m
}

// tooLong reports whether ws are too long to name any option.
func (m *matcher) tooLong(ws []string) bool {
	n := 0
	for _, w := range ws {
		n += len(w)
		if n > m.maxLen {
			return true
		}
	}
	return false
}

// head returns the option that the words ws name, 0 when they name none, or
// ambiguous when they name more than one. In order:
//   - an option whose whole label they are wins over one whose label they
//     only begin ("pizza": "Pizza", not "Pizza with ham");
//   - otherwise a number or yes/no word and a label they begin must agree
//     ("one" beside a second option "One-day pass" is ambiguous);
//   - any disagreement, or two labels, is ambiguous.
func (m *matcher) head(ws []string) (opt int, ambiguous bool) {
	c := compact(ws)
	if c == "" {
		return 0, false
	}
	alias := 0
	if len(ws) == 1 {
		if n := number(ws[0]); n >= 1 && n <= len(m.labels) {
			alias = n
		}
	}
	if m.yesNo && !hasDigit(c) {
		yn := 0
		switch s := squeeze(c); {
		case yesWords[s]:
			yn = 1
		case noWords[s]:
			yn = 2
		}
		if yn != 0 {
			if alias != 0 && alias != yn {
				return 0, true
			}
			alias = yn
		}
	}
	exact, prefix := 0, 0
	for i, l := range m.labels {
		switch {
		case l.c == c:
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
