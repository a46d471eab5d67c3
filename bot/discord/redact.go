package discord

import (
	"errors"
	"net/url"
	"strings"
)

// redacted replaces secrets in what smsbot logs or shows.
const redacted = "REDACTED"

// redactURL hides the secrets of a URL that smsbot called: the token of an
// interaction or webhook (the path segment after interactions/<id>/ or
// webhooks/<id>/, which is the whole credential to answer as the bot) and
// the query (attachment links are signed).
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return redacted
	}
	u.Path = redactPath(u.Path)
	u.RawPath = ""
	if u.RawQuery != "" {
		u.RawQuery = redacted
	}
	u.Fragment, u.RawFragment, u.User = "", "", nil
	return u.String()
}

// redactPath hides the token in a path of Discord's REST API.
func redactPath(p string) string {
	parts := strings.Split(p, "/")
	for i := 0; i+2 < len(parts); i++ {
		if parts[i] == "webhooks" || parts[i] == "interactions" {
			parts[i+2] = redacted
			i += 2
		}
	}
	return strings.Join(parts, "/")
}

// scrub hides the URLs of the *url.Errors in err's chain (an HTTP call
// that failed names its URL, and Discord's interaction and webhook URLs
// hold their token), and returns err. Every error the adapter returns or
// logs passes through it.
func scrub(err error) error {
	for e := err; e != nil; {
		var ue *url.Error
		if !errors.As(e, &ue) {
			break
		}
		ue.URL = redactURL(ue.URL)
		e = ue.Err
	}
	return err
}
