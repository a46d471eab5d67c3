package slack

import (
	"bytes"
	"cmp"
	"context"
	"errors"
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

// filesHost is where Slack keeps shared files: the only host a link to
// import may name, and the only one the bot token is sent to.
const filesHost = "files.slack.com"

// files opens files shared in Slack with the bot token, and keeps import
// reports by sending them to the user who imported, in a direct message.
type files struct {
	a       *Adapter
	channel string
	user    string
}

var _ bot.Files = files{}

// Open downloads a file: an https://files.slack.com/… link from a command,
// or a file ID from an upload. A link to anywhere else (another scheme,
// host, port, or with a user name) is refused, so the bot token goes to
// files.slack.com alone, encrypted. A file over Config.MaxImportBytes is
// refused by its size in Slack, by its Content-Length, or once that many
// bytes were read.
func (f files) Open(ctx context.Context, ref string) (string, io.ReadCloser, error) {
	limit := f.a.cfg.MaxImportBytes
	if id, ok := strings.CutPrefix(ref, fileIDPrefix); ok {
		info, _, _, err := f.a.api.GetFileInfoContext(ctx, id, 0, 0)
		if err != nil {
			return "", nil, fmt.Errorf("files.info %s: %w", id, bot.Redact(err))
		}
		if int64(info.Size) > limit {
			return "", nil, bot.FileTooLarge(int64(info.Size), limit)
		}
		ref = cmp.Or(info.URLPrivateDownload, info.URLPrivate)
	}
	link, err := fileLink(ref)
	if err != nil {
		return "", nil, err
	}
	name := path.Base(link.Path)
	target := *f.a.filesURL
	target.Path, target.RawPath, target.RawQuery = link.Path, link.RawPath, link.RawQuery
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	if err != nil {
		return "", nil, err
	}
	req.Header.Set("Authorization", "Bearer "+f.a.cfg.BotToken)
	resp, err := f.a.downloads.Do(req)
	if err != nil {
		return "", nil, fmt.Errorf("download %s: %w", name, bot.Redact(err))
	}
	if resp.StatusCode != http.StatusOK || strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		resp.Body.Close()
		// Slack answers a login page, not an error, when the token may not read the file.
		return "", nil, broadcast.Errorf(broadcast.EINVALID, "Slack would not give smsbot the file (status %d): check that the app has the files:read scope", resp.StatusCode)
	}
	if resp.ContentLength > limit {
		resp.Body.Close()
		return "", nil, bot.FileTooLarge(resp.ContentLength, limit)
	}
	return name, &capped{body: resp.Body, left: limit, limit: limit, size: resp.ContentLength}, nil
}

// fileLink checks a link to import: https, the host files.slack.com
// exactly, no port and no user name. Slack writes links as <url> or
// <url|label>.
func fileLink(ref string) (*url.URL, error) {
	link := strings.TrimSuffix(strings.TrimPrefix(ref, "<"), ">")
	link, _, _ = strings.Cut(link, "|")
	u, err := url.Parse(link)
	if err != nil || u.Scheme != "https" || u.Host != filesHost || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return nil, broadcast.Errorf(broadcast.EINVALID, "only files uploaded to Slack (https://%s/… links) can be imported: upload the CSV after /sms import <list>", filesHost)
	}
	return u, nil
}

// capped reads a download and fails once it has given more than limit
// bytes, whatever Content-Length said. Its Size is the Content-Length (-1:
// unknown), for the router to refuse a large file before reading it.
type capped struct {
	body              io.ReadCloser
	left, limit, size int64
}

func (c *capped) Read(p []byte) (int, error) {
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.body.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return 0, bot.FileTooLarge(-1, c.limit)
	}
	return n, err
}

func (c *capped) Size() int64 { return c.size }

func (c *capped) Close() error { return c.body.Close() }

// downloadClient is client for downloads: a redirect must keep the
// scheme of the files URL (https), so the token is never sent in clear.
// Go drops the Authorization header on a redirect to another host.
func downloadClient(client *http.Client, scheme string) *http.Client {
	c := *client
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != scheme {
			return errors.New("redirected away from " + scheme)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &c
}

// SaveReport sends the report to the user who imported, in a direct
// message: it holds the numbers of every row.
func (f files) SaveReport(ctx context.Context, input, file string) (string, error) {
	st, err := os.Stat(file)
	if err != nil {
		return "", err
	}
	name := strings.TrimSuffix(input, path.Ext(input)) + ".report.csv"
	return f.a.sendFile(ctx, f.user, slack.UploadFileParameters{
		File: file, FileSize: int(st.Size()), Filename: name, Title: "Import report: " + input,
	})
}

// Attach sends a file (an export, a chart) to the user who asked for it,
// in a direct message, never to the channel: an export holds every
// recipient's number.
func (c *conversation) Attach(ctx context.Context, name string, data []byte, comment string) (string, error) {
	return c.a.sendFile(ctx, c.user, slack.UploadFileParameters{
		Reader: bytes.NewReader(data), FileSize: len(data), Filename: name, Title: name, InitialComment: comment,
	})
}
