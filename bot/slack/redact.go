package slack

import (
	"errors"
	"net/url"
	"regexp"
)

// Slack's URLs can carry secrets: a response_url answers as the command's
// user for 30 minutes, an upload URL takes a file, a Socket Mode URL holds
// a ticket. Errors that smsbot returns or logs name the scheme and host of
// a URL, never its path or query.

// urlPattern finds URLs in error texts.
var urlPattern = regexp.MustCompile(`(?i)\b(https?|wss?)://[^\s"'<>|]+`)

// redact returns err with every URL in it cut to its scheme and host: in
// its text, and in the *url.Error it wraps, if any, so that a caller
// unwrapping it finds no secret either. nil stays nil.
func redact(err error) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = redactURL(ue.URL)
	}
	return &redacted{msg: redactText(err.Error()), err: err}
}

// redactText cuts every URL in s to its scheme and host.
func redactText(s string) string {
	return urlPattern.ReplaceAllStringFunc(s, redactURL)
}

// redactURL is u's scheme and host, and "/…" when it had more.
func redactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return "[url]"
	}
	short := p.Scheme + "://" + p.Host
	if p.Path != "" && p.Path != "/" || p.RawQuery != "" {
		short += "/…"
	}
	return short
}

// redacted is an error whose text has no URL path or query.
type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }
