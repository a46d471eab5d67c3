package discord

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/bwmarrin/discordgo"

	"smsbot/broadcast"
)

// Attach shares data as a file called name. Answering an interaction (a
// command, a click), the file goes in an ephemeral follow-up, which only
// the person who asked sees: exports and import reports hold phone numbers
// that not every member of the channel may have. Otherwise (the bot's own
// notices) it is posted in the channel. A file over the upload limit is
// zipped, or split into zipped parts, and the comment and the answer say
// so.
func (c *conversation) Attach(ctx context.Context, name string, data []byte, comment string) (string, error) {
	files, note, err := pack(name, data, c.limit)
	if err != nil {
		return "", err
	}
	for i, f := range files {
		text := comment
		switch {
		case len(files) > 1:
			text += fmt.Sprintf(" (part %d of %d, %s)", i+1, len(files), note)
		case note != "":
			text += " (" + note + ")"
		}
		if err := c.send(ctx, f, strings.TrimSpace(text)); err != nil {
			return "", err
		}
	}
	where := "attached to this channel as "
	if c.ix != nil {
		where = "shown only to the person who asked, as "
	}
	switch {
	case len(files) > 1:
		return fmt.Sprintf("%s%s… (%s)", where, files[0].name, note), nil
	case note != "":
		return fmt.Sprintf("%s%s (%s)", where, files[0].name, note), nil
	}
	return where + files[0].name, nil
}

// send posts one file with a comment: as an ephemeral follow-up when
// answering an interaction, else in the channel.
func (c *conversation) send(ctx context.Context, f upload, comment string) error {
	file := []*discordgo.File{{Name: f.name, ContentType: contentType(f.name), Reader: bytes.NewReader(f.data)}}
	var err error
	if c.ix != nil {
		_, err = c.a.api.FollowupMessageCreate(c.ix, true, &discordgo.WebhookParams{Content: fit(comment, maxContent),
			Files: file, Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions}, discordgo.WithContext(ctx))
	} else {
		_, err = c.a.api.ChannelMessageSendComplex(c.channel, &discordgo.MessageSend{Content: fit(comment, maxContent),
			Files: file, AllowedMentions: noMentions}, discordgo.WithContext(ctx))
	}
	if err == nil {
		return nil
	}
	if restCode(err) == discordgo.ErrCodeRequestEntityTooLarge || restStatus(err) == http.StatusRequestEntityTooLarge {
		return broadcast.Errorf(broadcast.EINVALID, "Discord refused %s (%s) as too large for this server", f.name, size(len(f.data)))
	}
	return fmt.Errorf("discord: attach %s: %w", f.name, scrub(err))
}

func contentType(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// restStatus is the HTTP status of a Discord API error, or 0.
func restStatus(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.StatusCode
	}
	return 0
}
