package console

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ANSI sequences the console writes on a terminal: only these, and each
// one opened is closed on the same line.
const (
	ansiBold    = "\x1b[1m"
	ansiNoBold  = "\x1b[22m"
	ansiDim     = "\x1b[2m"
	ansiCode    = "\x1b[36m" // cyan
	ansiNoColor = "\x1b[39m"
)

// markup renders the router's markdown, in text that Escape has already
// made safe: *bold*, `code` and "> " quotes. On a terminal (tty) bold is
// bold, code is cyan and a quote is a dim bar; elsewhere the syntax is
// left out, so that logs and scripts read plain text. Spans do not cross
// lines. Since Escape has shown every control character as text, the only
// escape sequences in the result are markup's own.
func markup(s string, tty bool) string {
	if !strings.ContainsAny(s, "*`>") {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = markupLine(l, tty)
	}
	return strings.Join(lines, "\n")
}

func markupLine(l string, tty bool) string {
	bar := "│ "
	if tty {
		bar = ansiDim + "│" + ansiNoBold + " "
	}
	switch {
	case strings.HasPrefix(l, "> "):
		return bar + inline(l[2:], tty, true)
	case l == ">":
		return strings.TrimSpace(bar)
	}
	return inline(l, tty, true)
}

// inline renders the code and (when bold is set) bold spans of one line.
func inline(l string, tty, bold bool) string {
	var b strings.Builder
	for i := 0; i < len(l); {
		c := l[i]
		if c == '`' {
			if end := strings.IndexByte(l[i+1:], '`'); end > 0 {
				code := l[i+1 : i+1+end]
				if tty {
					b.WriteString(ansiCode + code + ansiNoColor)
				} else {
					b.WriteString(code)
				}
				i += end + 2
				continue
			}
		}
		if c == '*' && bold {
			if end := boldEnd(l, i); end > 0 {
				inner := inline(l[i+1:end], tty, false)
				if tty {
					b.WriteString(ansiBold + inner + ansiNoBold)
				} else {
					b.WriteString(inner)
				}
				i = end + 1
				continue
			}
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

// boldEnd returns the index of the '*' closing a bold span opened at
// l[i], or -1. As in Slack's markup, the opening star follows the start
// of the line or a non-word character and precedes a non-space; the
// closing one follows a non-space and precedes the end of the line or a
// non-word character: 2*3*4 and "0 9 * * *" are not bold.
func boldEnd(l string, i int) int {
	if i > 0 {
		if r, _ := utf8.DecodeLastRuneInString(l[:i]); word(r) || r == '*' {
			return -1
		}
	}
	if i+1 >= len(l) || l[i+1] == ' ' || l[i+1] == '*' {
		return -1
	}
	for j := i + 2; j < len(l); j++ {
		if l[j] != '*' || l[j-1] == ' ' {
			continue
		}
		if j+1 < len(l) {
			if r, _ := utf8.DecodeRuneInString(l[j+1:]); word(r) || r == '*' {
				continue
			}
		}
		return j
	}
	return -1
}

func word(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }
