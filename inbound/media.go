package inbound

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"strings"
	"time"

	"smsbot/bot"
)

// File is a file of an incoming text, such as an MMS's picture, fetched
// on the server to show to staff.
type File struct {
	Name        string // set by the relay: "<SID>-<n>.<ext>"
	ContentType string // as the provider gave it, e.g. image/jpeg
	Data        []byte
}

// MediaSource fetches the media of incoming texts. Twilio asks for the
// account's credentials on media URLs (HTTP basic auth, enforced on new
// accounts), so a link is no use to staff: the relay shows the file.
type MediaSource interface {
	// MediaFiles returns the URLs of the files at url, one of a Text's
	// Media: url itself for a file's (a webhook's MediaUrlN), every file
	// for a message's Media list (which polling gives).
	MediaFiles(ctx context.Context, url string) ([]string, error)
	// FetchMedia returns the file at url, one of MediaFiles', with its
	// ContentType. A file over max bytes is not read whole: the error
	// wraps ErrMediaTooLarge.
	FetchMedia(ctx context.Context, url string, max int64) (File, error)
}

// ErrMediaTooLarge is wrapped by the error of a media file over the cap.
var ErrMediaTooLarge = errors.New("media file over the size limit")

// FileStaff is a Staff that can also show a file in a contact's thread.
type FileStaff interface {
	Staff
	// RelayFile shows data as a file called name (its extension tells
	// its type) in thread, as Relay returned it; "" is the channel.
	RelayFile(ctx context.Context, thread, name string, data []byte) error
}

// DefaultMaxMediaBytes caps one media file relayed to staff: Twilio's
// cap on an MMS's media, and half of Discord's upload limit.
const DefaultMaxMediaBytes = 5 << 20

// mediaTimeout bounds fetching one media file, or a list of them.
const mediaTimeout = 30 * time.Second

// maxMediaFiles is the most files of one text shown: an MMS has at most 10.
const maxMediaFiles = 10

// fetched is one media item of a text: the file, or why there is none.
type fetched struct {
	file File
	err  error
}

// showsFiles reports whether media is relayed as files: there is a
// MediaSource and the staff channel takes files.
func (s *Service) showsFiles() bool {
	_, ok := s.cfg.Staff.(FileStaff)
	return ok && s.cfg.Media != nil
}

// fetchMedia fetches the files of every media URL of saved, each capped
// at Config.MaxMediaBytes, at most maxMediaFiles.
func (s *Service) fetchMedia(ctx context.Context, saved Saved) []fetched {
	sid := saved.Text.SID
	var out []fetched
	failed := func(what string, err error) {
		s.log.Warn("fetching a text's "+what+" failed; staff are told", "sid", sid, "media", len(out)+1, "err", bot.Redact(err))
		s.log.Debug("fetching a text's "+what+" failed", "sid", sid, "media", len(out)+1, "err", err)
	}
	for _, u := range saved.Text.Media {
		lctx, cancel := context.WithTimeout(ctx, mediaTimeout)
		urls, err := s.cfg.Media.MediaFiles(lctx, u)
		cancel()
		if err != nil {
			failed("media list", err)
			out = append(out, fetched{err: err})
			continue
		}
		for _, f := range urls {
			if len(out) == maxMediaFiles {
				return out
			}
			fctx, cancel := context.WithTimeout(ctx, mediaTimeout)
			file, err := s.cfg.Media.FetchMedia(fctx, f, s.cfg.MaxMediaBytes)
			cancel()
			if err != nil {
				failed("media", err)
			}
			file.Name = fmt.Sprintf("%s-%d%s", sid, len(out)+1, extension(file.ContentType))
			out = append(out, fetched{file: file, err: err})
		}
	}
	return out
}

// mediaFields shows a text's media: with files (files true), each file
// attached below, or why not and where it is; without, each link, or
// where to find the media when the link would be the Media list's (no
// use without the account's login).
func (s *Service) mediaFields(saved Saved, got []fetched, files bool) []bot.Field {
	var fields []bot.Field
	console := "in the Twilio Console, message " + saved.Text.SID
	if !files {
		for i, u := range saved.Text.Media {
			v := u + " (Twilio may ask for the account's login)"
			if strings.HasSuffix(u, "/Media.json") {
				v = console
			}
			fields = append(fields, bot.Field{Label: fmt.Sprintf("Media %d", i+1), Value: v})
		}
		return fields
	}
	for i, g := range got {
		var v string
		switch {
		case errors.Is(g.err, ErrMediaTooLarge):
			v = fmt.Sprintf("over %s: not shown here; it is %s", size(s.cfg.MaxMediaBytes), console)
		case g.err != nil:
			v = "could not be fetched from Twilio; it is " + console
		default:
			v = fmt.Sprintf("%s, %s: attached below as %s", shownType(g.file.ContentType), size(int64(len(g.file.Data))), g.file.Name)
		}
		fields = append(fields, bot.Field{Label: fmt.Sprintf("Media %d", i+1), Value: v})
	}
	return fields
}

// attachMedia shows the fetched files in thread. One that fails is
// logged: the text itself is shown already, and is not shown again.
func (s *Service) attachMedia(ctx context.Context, thread, sid string, got []fetched) {
	fs, ok := s.cfg.Staff.(FileStaff)
	if !ok {
		return
	}
	for i, g := range got {
		if g.err != nil {
			continue
		}
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), relayTimeout)
		err := fs.RelayFile(actx, thread, g.file.Name, g.file.Data)
		cancel()
		if err != nil {
			s.log.Warn("attaching a text's media for staff failed", "sid", sid, "media", i+1, "err", bot.Redact(err))
			s.log.Debug("attaching a text's media for staff failed", "sid", sid, "media", i+1, "err", err)
		}
	}
}

// extensions names the file types of MMS, by MIME type.
var extensions = map[string]string{
	"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp", "image/heic": ".heic",
	"image/bmp": ".bmp", "video/mp4": ".mp4", "video/3gpp": ".3gp", "video/quicktime": ".mov",
	"audio/mpeg": ".mp3", "audio/amr": ".amr", "audio/mp4": ".m4a", "audio/ogg": ".ogg", "audio/wav": ".wav",
	"text/vcard": ".vcf", "text/x-vcard": ".vcf", "text/calendar": ".ics", "text/plain": ".txt",
	"application/pdf": ".pdf",
}

// extension is the file extension of a MIME type; ".bin" when unknown.
func extension(contentType string) string {
	t, _, err := mime.ParseMediaType(contentType)
	if ext, ok := extensions[t]; ok && err == nil {
		return ext
	}
	return ".bin"
}

// shownType is a content type fit to show: its media type, or "a file".
func shownType(contentType string) string {
	t, _, err := mime.ParseMediaType(contentType)
	if err != nil || len(t) > 64 || strings.ContainsAny(t, "<>&*_`|~") {
		return "a file"
	}
	return t
}

// size writes n bytes for people: "812 bytes", "120 KiB", "4.8 MiB".
func size(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
