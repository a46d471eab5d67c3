package inbound

import (
	"strings"
	"unicode"
)

// Keyword is what a text asks of the bot, if anything.
type Keyword string

// Keywords. A text is a keyword only when it is that single word, in any
// case, with surrounding space and punctuation ignored.
const (
	NoKeyword Keyword = ""
	Stop      Keyword = "STOP"  // opt out of every sender
	Start     Keyword = "START" // opt back in
	Help      Keyword = "HELP"  // ask for help
)

var keywords = map[string]Keyword{
	"STOP": Stop, "STOPALL": Stop, "UNSUBSCRIBE": Stop, "CANCEL": Stop,
	"END": Stop, "QUIT": Stop, "REVOKE": Stop, "OPTOUT": Stop,
	"START": Start, "YES": Start, "UNSTOP": Start,
	"HELP": Help, "INFO": Help,
}

// ParseKeyword returns the keyword a text body is, or NoKeyword.
// "Stop", " STOP ", "stop." are Stop; "please stop texting me" is not a
// keyword (Twilio, too, only acts on the single word) and goes to staff.
func ParseKeyword(body string) Keyword {
	w := strings.TrimFunc(body, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r)
	})
	if w == "" || strings.IndexFunc(w, unicode.IsSpace) >= 0 || len(w) > 16 {
		return NoKeyword
	}
	return keywords[strings.ToUpper(w)]
}
