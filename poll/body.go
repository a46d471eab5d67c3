package poll

import (
	"strconv"
	"strings"
)

// YesNo reports whether a poll with these options is a yes/no poll: two options,
// the first reads as yes and the second as no (e.g. "Yes"/"No", "Yes, I'll come"/"No, can't make it", "Y"/"N").
//
// A label reads as yes when its first word, or the whole label, is one of
// Match's yes words ("Sure", "Count me in", "👍"), and as no likewise ("Nope",
// "Can't make it"). In a yes/no poll Match also takes those words as answers.
func YesNo(options []string) bool {
	if len(options) != 2 {
		return false
	}
	a, _ := words(options[0], 64)
	b, _ := words(options[1], 64)
	return yesNo([]label{label(a), label(b)})
}

// yesNo reports whether prepared labels make a yes/no poll.
func yesNo(labels []label) bool {
	if len(labels) != 2 {
		return false
	}
	return reads(labels[0], 1) && reads(labels[1], 2)
}

// reads reports whether a label's first word, or the label, is a yes word
// (yn 1) or a no word (yn 2).
func reads(l label, yn int) bool {
	if len(l.ends) == 0 || hasDigit(l.s) {
		return false
	}
	return yesNoWord(l.s) == yn || yesNoWord(l.s[:l.ends[0]]) == yn
}

// Body is the text a poll sends: the question, then the options numbered on one line
// each ("1) 5 pm shuttle"), then a short reply line: "Reply 1 or 2" for two options,
// "Reply 1, 2 or 3" for three, "Reply 1–9" style for many ("Reply 1 to 9"), and
// "Reply Y or N" for a yes/no poll (for a yes/no poll the options are still numbered, and 1/2,
// yes/no and the other yes and no words also work). It says Y rather than YES because YES is one
// of Twilio's default opt-in keywords: on a long code it brings Twilio's automatic re-subscribe reply.
//
// Lines are separated by "\n". The question is trimmed; each label is
// trimmed and its inner space (newlines too) collapsed to one space, so each
// option stays on its line. "to" rather than an en dash keeps the text GSM-7.
// Four or more options say "Reply 1 to N"; one option "Reply 1"; no options,
// no reply line. Body does not check the options' count (see MinOptions).
func Body(question string, options []string) string {
	var b strings.Builder
	line := func(s string) {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(s)
	}
	if q := strings.TrimSpace(question); q != "" {
		line(q)
	}
	for i, o := range options {
		line(strconv.Itoa(i+1) + ") " + oneLine(o))
	}
	if r := replyLine(options); r != "" {
		line(r)
	}
	return b.String()
}

// replyLine is Body's last line.
func replyLine(options []string) string {
	n := len(options)
	switch {
	case n == 0:
		return ""
	case YesNo(options):
		return "Reply Y or N"
	case n == 1:
		return "Reply 1"
	case n == 2:
		return "Reply 1 or 2"
	case n == 3:
		return "Reply 1, 2 or 3"
	}
	return "Reply 1 to " + strconv.Itoa(n)
}

// oneLine trims s and collapses its runs of space into one space.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Confirmation fills a confirmation template: "{answer}" becomes the chosen option's label.
// An empty template gives "". Example: Confirmation("Got it: {answer}. Reply again to change.", "5 pm shuttle").
//
// The label is put in as Body shows it (trimmed, on one line); every
// "{answer}" is replaced, and the rest of the template is left as typed.
func Confirmation(template, label string) string {
	if template == "" {
		return ""
	}
	return strings.ReplaceAll(template, "{answer}", oneLine(label))
}
