package discord

import (
	"net/http"
	"net/url"
	"strings"
)

// discordHost is where discordgo sends every REST call.
const discordHost = "discord.com"

// rewriter sends requests meant for discord.com to another base URL
// (DISCORD_API_URL), leaving discordgo's endpoint variables alone.
type rewriter struct {
	next http.RoundTripper
	to   *url.URL
}

// rewrite returns next, or http.DefaultTransport when nil, wrapped to
// send discord.com's requests to to. A nil to changes nothing.
func rewrite(next http.RoundTripper, to *url.URL) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	if to == nil {
		return next
	}
	return rewriter{next: next, to: to}
}

// RoundTrip rewrites the scheme and host of a request to discord.com, and
// puts the base URL's path, if any, in front of its path.
func (t rewriter) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != discordHost {
		return t.next.RoundTrip(r)
	}
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = t.to.Scheme, t.to.Host, t.to.Host
	if p := strings.TrimSuffix(t.to.Path, "/"); p != "" {
		r.URL.Path = p + r.URL.Path
		r.URL.RawPath = ""
	}
	return t.next.RoundTrip(r)
}
