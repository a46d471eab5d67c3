package poll

import "fmt"

// CheckOptions refuses options that answers could not tell apart or that
// would read as something else: two options the matcher normalises alike
// ("5pm" and "5 PM", "Café" and "cafe", "Yes" and "YES!"), an option whose
// label is another option's number ("2" as option 1), or a label that is an
// opt-out, opt-in or help keyword (STOP, START, HELP…). The error's text is
// one line saying which options and why, like
// `options 1 and 2 read the same ("5pm" and "5 PM"): answers could not tell them apart`.
//
// A label is refused when it is a keyword by itself ("STOP", "Help",
// "Opt out"): a reply of it means the keyword. A label with a keyword among
// other words ("Bus stop A", "Help desk", "End of day") is allowed: a reply
// of its text is not counted (Match leaves texts with keywords to staff),
// but its number answers it. A label that is its
// own number (option 2 "2") is fine, and so are labels with no letters or
// digits (emoji): their numbers answer them. CheckOptions does not check
// the options' count or their length; it returns a plain error for the
// caller to wrap.
func CheckOptions(options []string) error {
	m := newMatcher(options)
	for i, l := range m.labels {
		if len(l.ends) == 0 {
			continue
		}
		if k := keywordIn(wordList(l)); k != "" {
			return fmt.Errorf("option %d (%q) has the %s keyword %s in it: a reply of it would read as %s, not as an answer",
				i+1, oneLine(options[i]), keywordKind(k), upper(k), keywordMeaning(k))
		}
		if n := number(l.s); len(l.ends) == 1 && n >= 1 && n <= len(options) && n != i+1 {
			return fmt.Errorf("option %d (%q) is option %d's number: answers could not tell them apart",
				i+1, oneLine(options[i]), n)
		}
		for j := i + 1; j < len(m.labels); j++ {
			if m.labels[j].s == l.s {
				return fmt.Errorf("options %d and %d read the same (%q and %q): answers could not tell them apart",
					i+1, j+1, oneLine(options[i]), oneLine(options[j]))
			}
		}
	}
	return nil
}

// keywordIn returns the keyword a label is by itself ("optout" for "opt
// out"), or "" when it is none.
func keywordIn(ws wordList) string {
	switch {
	case ws.n() == 1 && (keywords[ws.word(0)] || optOuts[ws.word(0)]):
		return ws.word(0)
	case ws.n() == 2 && ws.compact(0, 2) == "optout":
		return "optout"
	}
	return ""
}

// keywordKind says what kind of keyword k is.
func keywordKind(k string) string {
	switch k {
	case "start", "unstop":
		return "opt-in"
	case "help", "info":
		return "help"
	}
	return "opt-out"
}

// keywordMeaning says what a reply with keyword k reads as.
func keywordMeaning(k string) string {
	switch keywordKind(k) {
	case "opt-in":
		return "a request to get texts again"
	case "help":
		return "a request for help"
	}
	return "a request to stop texts"
}

// upper is an ASCII keyword in capitals.
func upper(k string) string {
	b := []byte(k)
	for i, c := range b {
		if isLower(c) {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
