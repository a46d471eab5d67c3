package console

import "strings"

// newlines turns each literal \n typed in a console line into a line
// break, so that one line of input can carry a message of several
// lines; \\n stays a literal \n. Other backslashes are left alone.
func newlines(s string) string {
	if !strings.Contains(s, `\n`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], `\\n`):
			b.WriteString(`\n`)
			i += 2
		case strings.HasPrefix(s[i:], `\n`):
			b.WriteByte('\n')
			i++
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// multiline reports whether the /sms command args may carry line breaks
// typed as \n: all but import, whose argument may be a Windows path
// (C:\new\list.csv).
func multiline(args string) bool {
	word, _, _ := strings.Cut(strings.TrimSpace(args), " ")
	return !strings.EqualFold(word, "import")
}
