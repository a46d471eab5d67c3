package discord

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"

	"smsbot/bot"
	"smsbot/broadcast"
)

// maxDownload caps the size of an imported file (Discord's own upload
// limit is lower).
const maxDownload = 64 << 20

// cdnHosts are where Discord serves attachments.
var cdnHosts = map[string]bool{"cdn.discordapp.com": true, "media.discordapp.net": true}

// files opens attachments named in commands, and keeps import reports by
// attaching them for the person who asked (conv's Attach).
type files struct {
	a    *Adapter
	conv *conversation
}

var _ bot.Files = files{}

// Open downloads an attachment: only from Discord's CDN (or, in tests,
// DISCORD_API_URL's host). A link to anywhere else is refused without a
// request. No token is sent: attachment links are signed by Discord.
func (f files) Open(ctx context.Context, ref string) (string, io.ReadCloser, error) {
	u, err := url.Parse(strings.Trim(ref, "<>"))
	if err != nil || !f.a.fileHost(u) {
		return "", nil, broadcast.Errorf(broadcast.EINVALID, "only files uploaded to Discord can be imported: attach the CSV to /sms import")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", nil, err
	}
	resp, err := f.a.cfg.HTTPClient.Do(req)
	if err != nil {
		return "", nil, fmt.Errorf("download %s: %w", path.Base(u.Path), scrub(err))
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		// Attachment links expire after a day or so.
		return "", nil, broadcast.Errorf(broadcast.EINVALID, "Discord would not give smsbot the file (status %d): attach it again", resp.StatusCode)
	}
	return path.Base(u.Path), download{http.MaxBytesReader(nil, resp.Body, maxDownload), resp.ContentLength}, nil
}

// download is an attachment being downloaded; Size is its length as
// Discord announced it (-1 unknown), so the router can refuse a file over
// its import limit before reading it.
type download struct {
	io.ReadCloser
	size int64
}

// Size is the download's announced length in bytes, or -1.
func (d download) Size() int64 { return d.size }

// SaveReport attaches the report for the person who asked alone (an
// ephemeral follow-up), zipped or in parts when it is over Discord's
// upload limit.
func (f files) SaveReport(ctx context.Context, input, file string) (string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	name := strings.TrimSuffix(input, path.Ext(input)) + ".report.csv"
	return f.conv.Attach(ctx, name, data, "Import report: "+input)
}

// fileHost reports whether files may be downloaded from u.
func (a *Adapter) fileHost(u *url.URL) bool {
	if a.apiURL != nil && u.Host == a.apiURL.Host && u.Scheme == a.apiURL.Scheme {
		return true
	}
	return u.Scheme == "https" && cdnHosts[u.Hostname()] && u.Port() == ""
}
