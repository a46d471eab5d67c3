package slack

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"

	"github.com/slack-go/slack"

	"smsbot/bot"
	"smsbot/broadcast"
)

// fileIDPrefix marks a Files reference that is a Slack file ID (from a
// file_shared event) rather than a link.
const fileIDPrefix = "slack-file:"

// files opens files shared in Slack with the bot token, and keeps import
// reports by uploading them to the channel.
type files struct {
	a       *Adapter
	channel string
}

var _ bot.Files = files{}

// Open downloads a file: a files.slack.com link from a command, or a file
// ID from an upload. Links to anywhere else are refused, so the bot token
// is never sent to another host.
func (f files) Open(ctx context.Context, ref string) (string, io.ReadCloser, error) {
	if id, ok := strings.CutPrefix(ref, fileIDPrefix); ok {
		info, _, _, err := f.a.api.GetFileInfoContext(ctx, id, 0, 0)
		if err != nil {
			return "", nil, fmt.Errorf("files.info %s: %w", id, err)
		}
		ref = cmp.Or(info.URLPrivateDownload, info.URLPrivate)
	}
	link := strings.Trim(ref, "<>")
	link, _, _ = strings.Cut(link, "|") // Slack's <url|label>
	u, err := url.Parse(link)
	if err != nil || u.Host != f.a.filesHost() {
		return "", nil, broadcast.Errorf(broadcast.EINVALID, "only files uploaded to Slack (%s links) can be imported", f.a.filesHost())
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", nil, err
	}
	req.Header.Set("Authorization", "Bearer "+f.a.cfg.BotToken)
	resp, err := f.a.cfg.HTTPClient.Do(req)
	if err != nil {
		return "", nil, fmt.Errorf("download %s: %w", u.Path, err)
	}
	if resp.StatusCode != http.StatusOK || strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		resp.Body.Close()
		// Slack answers a login page, not an error, when the token may not read the file.
		return "", nil, broadcast.Errorf(broadcast.EINVALID, "Slack would not give smsbot the file (status %d): check that the app has the files:read scope", resp.StatusCode)
	}
	return path.Base(u.Path), resp.Body, nil
}

// SaveReport uploads the report to the channel.
func (f files) SaveReport(ctx context.Context, input, file string) (string, error) {
	st, err := os.Stat(file)
	if err != nil {
		return "", err
	}
	name := strings.TrimSuffix(input, path.Ext(input)) + ".report.csv"
	_, err = f.a.api.UploadFileContext(ctx, slack.UploadFileParameters{
		File: file, FileSize: int(st.Size()), Filename: name, Title: "Import report: " + input, Channel: f.channel,
	})
	if err != nil {
		return "", fmt.Errorf("upload report: %w", err)
	}
	return "attached to this channel as " + name, nil
}

// filesHost is where shared files live: files.slack.com, or the fake's
// host in tests.
func (a *Adapter) filesHost() string {
	if a.cfg.APIURL != "" {
		if u, err := url.Parse(a.cfg.APIURL); err == nil {
			return u.Host
		}
	}
	return "files.slack.com"
}

// Attach uploads a file to the conversation's channel.
func (c *conversation) Attach(ctx context.Context, name string, data []byte, comment string) (string, error) {
	_, err := c.a.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Reader: bytes.NewReader(data), FileSize: len(data), Filename: name, Title: name,
		InitialComment: comment, Channel: c.channel, ThreadTimestamp: c.thread,
	})
	if err != nil {
		return "", fmt.Errorf("upload %s: %w", name, err)
	}
	return "attached to this channel as " + name, nil
}
