package twilio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"smsbot/broadcast"
	"smsbot/inbound"
)

var _ inbound.MediaSource = (*Provider)(nil)

// apiBase is where Twilio's media URLs point.
const apiBase = "https://api.twilio.com"

// mediaPath is the path of one media file of a message,
// /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}/Media/{MediaSid}, and
// listPath that of a message's Media list, …/Messages/{Sid}/Media.json.
var (
	mediaPath = regexp.MustCompile(`^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages/[A-Z]{2}[0-9a-fA-F]{32}/Media/ME[0-9a-fA-F]{32}$`)
	listPath  = regexp.MustCompile(`^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages/([A-Z]{2}[0-9a-fA-F]{32})/Media\.json$`)
)

// ours parses rawURL, a URL on api.twilio.com under this account whose
// path matches re, and returns re's submatches; else an error. Only such
// URLs get the account's credentials.
func (p *Provider) ours(rawURL string, re *regexp.Regexp) (*url.URL, []string, error) {
	c, _ := p.api.RequestHandler().Client.(*client.Client)
	u, err := url.Parse(rawURL)
	if c == nil || err != nil || u.Scheme != "https" || u.Host != "api.twilio.com" || u.User != nil || u.RawQuery != "" {
		return nil, nil, errors.New("twilio: media: not a URL of this Twilio account")
	}
	m := re.FindStringSubmatch(u.Path)
	if m == nil || m[1] != c.AccountSid() {
		return nil, nil, errors.New("twilio: media: not a URL of this Twilio account")
	}
	return u, m, nil
}

// MediaFiles returns the URLs of the files at a text's media URL: the
// URL itself for a file's (a webhook's MediaUrlN), or every file of a
// message's Media list (…/Messages/{Sid}/Media.json, which polling
// lists), read in one slot of Config.Gate. Other URLs are refused.
func (p *Provider) MediaFiles(ctx context.Context, rawURL string) ([]string, error) {
	if _, _, err := p.ours(rawURL, mediaPath); err == nil {
		return []string{rawURL}, nil
	}
	_, m, err := p.ours(rawURL, listPath)
	if err != nil {
		return nil, err
	}
	var resp *openapi.ListMediaResponse
	params := &openapi.ListMediaParams{}
	params.SetPageSize(50) // an MMS has at most 10
	err = p.call(ctx, func() (err error) {
		resp, err = p.api.PageMedia(m[2], params, "", "")
		return err
	})
	if se := (*broadcast.SendError)(nil); errors.As(err, &se) && se.Class == broadcast.Ambiguous {
		se.Class = broadcast.Retryable // a list changes nothing
	}
	if err != nil {
		return nil, fmt.Errorf("twilio: media of %s: %w", m[2], err)
	}
	var out []string
	for _, f := range resp.MediaList {
		if f.Uri != nil && *f.Uri != "" {
			out = append(out, apiBase+strings.TrimSuffix(*f.Uri, ".json"))
		}
	}
	return out, nil
}

// FetchMedia returns the file at a media URL of this account's messages
// (https://api.twilio.com/2010-04-01/Accounts/{AccountSid}/Messages/…/
// Media/{MediaSid}); any other URL is refused before a request, so the
// credentials go to Twilio only, for its own media. The request takes a
// slot of Config.Gate and carries the account's Basic auth; Twilio
// answers with a redirect to the file's CDN URL (short-lived when HTTP
// auth on media is enforced), which must be https and is fetched without
// credentials. A file over max bytes, by Content-Length or by the bytes
// read, is refused with inbound.ErrMediaTooLarge. Twilio's refusals are
// *broadcast.SendError, as for other calls.
func (p *Provider) FetchMedia(ctx context.Context, rawURL string, max int64) (inbound.File, error) {
	u, _, err := p.ours(rawURL, mediaPath)
	if err != nil {
		return inbound.File{}, err
	}
	c := p.api.RequestHandler().Client.(*client.Client) // ours checked
	t, ok := c.HTTPClient.Transport.(*transport)
	if !ok {
		return inbound.File{}, errors.New("twilio: media: no transport")
	}
	hc := &http.Client{Transport: rawTrip{t}, Timeout: c.HTTPClient.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var resp *http.Response
	err = p.call(ctx, func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return err
		}
		req.SetBasicAuth(c.Credentials.Username, c.Credentials.Password)
		if resp, err = hc.Do(req); err != nil {
			return &broadcast.SendError{Class: broadcast.Retryable, Message: "no answer from Twilio", Err: err}
		}
		if resp.StatusCode < 200 || resp.StatusCode >= 400 {
			return classifyAnswer(req, resp, p.now()) // closes the body
		}
		return nil
	})
	if err != nil {
		return inbound.File{}, fmt.Errorf("twilio: media: %w", err)
	}
	if resp.StatusCode >= 300 {
		resp.Body.Close()
		loc, err := u.Parse(resp.Header.Get("Location"))
		if err != nil || loc.Scheme != "https" || loc.Host == "" || loc.User != nil {
			return inbound.File{}, fmt.Errorf("twilio: media: answer %d without an https Location", resp.StatusCode)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc.String(), nil)
		if err != nil {
			return inbound.File{}, fmt.Errorf("twilio: media: %w", err)
		}
		if resp, err = hc.Do(req); err != nil { // no credentials: the CDN's URL is signed
			return inbound.File{}, fmt.Errorf("twilio: media from its CDN: %w", err)
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return inbound.File{}, fmt.Errorf("twilio: media from its CDN: HTTP %d", resp.StatusCode)
		}
	}
	defer resp.Body.Close()
	if resp.ContentLength > max {
		return inbound.File{}, fmt.Errorf("twilio: media of %d bytes: %w", resp.ContentLength, inbound.ErrMediaTooLarge)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return inbound.File{}, fmt.Errorf("twilio: media: %w", err)
	}
	if int64(len(data)) > max {
		return inbound.File{}, fmt.Errorf("twilio: media over %d bytes: %w", max, inbound.ErrMediaTooLarge)
	}
	return inbound.File{ContentType: resp.Header.Get("Content-Type"), Data: data}, nil
}

// rawTrip sends a request as the Provider's transport does (to
// Config.APIURL when set) but hands back every answer as it is: a media
// file's URL answers 302, which the transport would call a failure.
type rawTrip struct{ t *transport }

// RoundTrip implements http.RoundTripper.
func (r rawTrip) RoundTrip(req *http.Request) (*http.Response, error) {
	if r.t.target != nil {
		req = req.Clone(req.Context())
		req.URL.Scheme, req.URL.Host, req.Host = r.t.target.Scheme, r.t.target.Host, ""
	}
	return r.t.base.RoundTrip(req)
}
