package bot

import (
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Redact returns err as it may be logged at info level: the same error
// (errors.Is and errors.As see through it), with a message that carries
// no secret and no phone number.
//
//   - Every URL is cut to its scheme and host: "https://discord.com/…".
//     Chat platforms put secrets in URLs: a Discord interaction token in
//     the webhook path of a follow-up, a Slack response_url's last part.
//     An *url.Error anywhere in the chain (net/http's answer to a failed
//     request) is found and its URL cut wherever it is quoted; any other
//     URL in the message is cut too. Userinfo, path, query and fragment
//     go.
//   - Every number written in E.164 keeps its first two and last two
//     digits: "+49…67". Enough to tell two contacts apart in a log; the
//     full number stays in the store.
//
// Redact returns nil for nil, and err itself when nothing needs cutting.
// Adapters use it for their own log lines.
func Redact(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, u := range urlErrors(err) {
		msg = strings.ReplaceAll(msg, strconv.Quote(u.URL), strconv.Quote(redactURL(u.URL)))
	}
	msg = urlPattern.ReplaceAllStringFunc(msg, redactURL)
	msg = e164Pattern.ReplaceAllStringFunc(msg, maskPhone)
	if msg == err.Error() {
		return err
	}
	return &redacted{msg: msg, err: err}
}

// redacted is an error with a message cut for logs.
type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }

var (
	// urlPattern matches an absolute URL up to white space or a quote.
	urlPattern = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s"'<>]+`)
	// e164Pattern matches a phone number in E.164 not inside a longer
	// run of digits.
	e164Pattern = regexp.MustCompile(`\+[1-9][0-9]{6,14}\b`)
)

// urlErrors returns every *url.Error in err's tree.
func urlErrors(err error) []*url.Error {
	var out []*url.Error
	var walk func(error)
	walk = func(e error) {
		for e != nil {
			if u, ok := e.(*url.Error); ok {
				out = append(out, u)
			}
			if j, ok := e.(interface{ Unwrap() []error }); ok {
				for _, c := range j.Unwrap() {
					walk(c)
				}
				return
			}
			e = errors.Unwrap(e)
		}
	}
	walk(err)
	return out
}

// redactURL keeps a URL's scheme and host; anything after them becomes
// "…". What does not parse as a URL is replaced whole.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		if i := strings.Index(raw, "://"); i > 0 {
			return raw[:i] + "://…"
		}
		return "…"
	}
	out := u.Scheme + "://" + u.Host
	if u.User != nil || u.Opaque != "" || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
		out += "/…"
	}
	return out
}

// maskPhone keeps the plus, the first two and the last two digits of an
// E.164 number.
func maskPhone(p string) string {
	return p[:3] + "…" + p[len(p)-2:]
}
