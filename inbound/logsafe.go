package inbound

import (
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// phonePattern matches what may be a phone number in an error's text: a
// run of 7 to 15 digits, maybe after a +, and not inside a word (a SID).
var phonePattern = regexp.MustCompile(`(^|[^0-9A-Za-z_])\+?[0-9]{7,15}\b`)

// safeErr renders err for a log line at info level or above, where no
// token, phone number or message body may appear. The URL of every
// *url.Error in its chain is cut to its scheme and host (a path or query
// may hold a token: a Discord interaction's, a Slack response_url), and
// runs of digits that may be a phone number (Twilio's own messages name
// them) become "[number]". The whole error goes to debug level only.
func safeErr(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	for _, ue := range urlErrors(err) {
		short := "(a URL)"
		if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
			short = u.Scheme + "://" + u.Host + "/…"
		}
		msg = strings.ReplaceAll(msg, strconv.Quote(ue.URL), short)
		msg = strings.ReplaceAll(msg, ue.URL, short)
	}
	return phonePattern.ReplaceAllString(msg, "${1}[number]")
}

// urlErrors returns every *url.Error in err's tree.
func urlErrors(err error) []*url.Error {
	var out []*url.Error
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if ue, ok := e.(*url.Error); ok {
			out = append(out, ue)
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		default:
			walk(errors.Unwrap(e))
		}
	}
	walk(err)
	return out
}

// logLimit lets a log line through at most once every `every`, counting
// the ones held back meanwhile, so that a flood of bad requests cannot
// flood the log. It is safe for concurrent use.
type logLimit struct {
	every time.Duration

	mu         sync.Mutex
	last       time.Time
	suppressed int
}

// allow reports whether to log now, and how many lines were held back
// since the last one logged.
func (l *logLimit) allow(now time.Time) (ok bool, suppressed int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.last.IsZero() && now.Sub(l.last) < l.every {
		l.suppressed++
		return false, 0
	}
	l.last, suppressed, l.suppressed = now, l.suppressed, 0
	return true, suppressed
}
