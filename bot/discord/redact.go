package discord

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/bwmarrin/discordgo"
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

// scrub hides the URLs in err's chain, and returns err: an HTTP call that
// failed names its URL (*url.Error), and so does discordgo's
// *RateLimitError, and Discord's interaction and webhook URLs hold their
// token. Every error the adapter returns or logs passes through it.
func scrub(err error) error {
	switch e := err.(type) {
	case nil:
		return nil
	case *url.Error:
		e.URL = redactURL(e.URL)
	case *discordgo.RateLimitError:
		if e.RateLimit != nil {
			e.URL = redactURL(e.URL)
		}
	}
	switch e := err.(type) {
	case interface{ Unwrap() error }:
		scrub(e.Unwrap())
	case interface{ Unwrap() []error }:
		for _, inner := range e.Unwrap() {
			scrub(inner)
		}
	}
	return err
}

// linkRe finds links in text.
var linkRe = regexp.MustCompile(`https?://[^\s<>]+`)

// redactLinks redacts the links in text (a command's attachment link is
// signed).
func redactLinks(text string) string { return linkRe.ReplaceAllStringFunc(text, redactURL) }
