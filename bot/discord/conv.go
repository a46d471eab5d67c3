package discord

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"path"
	"strings"
	"sync"

	"github.com/bwmarrin/discordgo"

	"smsbot/bot"
)

// conversation is a Discord channel as the router sees it, for one
// command, one click, or the bot's own notices.
type conversation struct {
	a       *Adapter
	channel string
	// ix is the interaction being answered; nil for notices and thread
	// replies, whose ephemeral messages are shown to everyone.
	ix *discordgo.Interaction

	mu sync.Mutex
	// deferred: the interaction's response is a deferred ephemeral
	// message that no answer has filled yet (commands only: after a click,
	// @original is the message that carried the button).
	deferred bool
}

var (
	_ bot.Conversation = (*conversation)(nil)
	_ bot.Attacher     = (*conversation)(nil)
)

func ref(channel, message string) bot.Ref { return bot.Ref(channel + "/" + message) }

func unref(r bot.Ref) (channel, message string, ok bool) {
	channel, message, ok = strings.Cut(string(r), "/")
	return channel, message, ok && channel != "" && message != ""
}

// Channel returns a channel (or thread) as a Conversation, for notices the
// bot posts on its own (resumed broadcasts, incoming texts).
func (a *Adapter) Channel(id string) bot.Conversation { return &conversation{a: a, channel: id} }

// Post shows m. An ephemeral message answering an interaction fills the
// deferred response, or else is an ephemeral follow-up; any other message
// is posted in the channel with the bot token, so it can be edited for as
// long as a broadcast runs.
func (c *conversation) Post(ctx context.Context, m bot.Message) (bot.Ref, error) {
	if m.Ephemeral && c.ix != nil {
		return "", c.ephemeral(ctx, m)
	}
	msg, err := c.a.api.ChannelMessageSendComplex(c.channel, &discordgo.MessageSend{
		Embeds: embeds(m), Components: components(m), AllowedMentions: noMentions,
	}, discordgo.WithContext(ctx))
	if err != nil {
		if c.ix != nil && (restCode(err) == discordgo.ErrCodeMissingAccess || restCode(err) == discordgo.ErrCodeMissingPermissions) {
			_ = c.ephemeral(ctx, bot.Message{Text: "⚠️ smsbot cannot post in this channel: let its role View Channel, Send Messages, Embed Links and Attach Files here"})
		}
		return "", fmt.Errorf("discord: post message: %w", err)
	}
	return ref(msg.ChannelID, msg.ID), nil
}

// Update edits a message posted in a channel.
func (c *conversation) Update(ctx context.Context, r bot.Ref, m bot.Message) error {
	channel, id, ok := unref(r)
	if !ok {
		return fmt.Errorf("discord: edit message: bad message reference %q", r)
	}
	e, comps := embeds(m), components(m)
	_, err := c.a.api.ChannelMessageEditComplex(&discordgo.MessageEdit{Channel: channel, ID: id,
		Embeds: &e, Components: &comps, AllowedMentions: noMentions}, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("discord: edit message: %w", err)
	}
	return nil
}

// Attach shares data as a file in the channel.
func (c *conversation) Attach(ctx context.Context, name string, data []byte, comment string) (string, error) {
	return c.a.attach(ctx, c.channel, name, bytes.NewReader(data), comment)
}

// ephemeral shows m to the interaction's user alone.
func (c *conversation) ephemeral(ctx context.Context, m bot.Message) error {
	e, comps := embeds(m), components(m)
	if c.takeDeferred() {
		_, err := c.a.api.InteractionResponseEdit(c.ix, &discordgo.WebhookEdit{Embeds: &e, Components: &comps,
			AllowedMentions: noMentions}, discordgo.WithContext(ctx))
		if err != nil {
			return fmt.Errorf("discord: edit interaction response: %w", err)
		}
		return nil
	}
	_, err := c.a.api.FollowupMessageCreate(c.ix, true, &discordgo.WebhookParams{Embeds: e, Components: comps,
		Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions}, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("discord: ephemeral follow-up: %w", err)
	}
	return nil
}

// takeDeferred reports whether the deferred response is still unused,
// and marks it used.
func (c *conversation) takeDeferred() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.deferred
	c.deferred = false
	return d
}

// finish deletes the deferred response ("smsbot is thinking…") when no
// ephemeral answer filled it: the answer was posted in the channel.
func (c *conversation) finish(ctx context.Context) {
	if c.ix == nil || !c.takeDeferred() {
		return
	}
	if err := c.a.api.InteractionResponseDelete(c.ix, discordgo.WithContext(ctx)); err != nil {
		c.a.log.Warn("deleting the deferred response failed", "err", err)
	}
}

// attach posts r as a file called name in channel, with a comment.
func (a *Adapter) attach(ctx context.Context, channel, name string, r *bytes.Reader, comment string) (string, error) {
	_, err := a.api.ChannelMessageSendComplex(channel, &discordgo.MessageSend{
		Content: clip(comment, 2000), AllowedMentions: noMentions,
		Files: []*discordgo.File{{Name: name, ContentType: contentType(name), Reader: r}},
	}, discordgo.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("discord: attach %s: %w", name, err)
	}
	return "attached to this channel as " + name, nil
}

func contentType(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// restCode is the JSON error code of a Discord API error, or 0.
func restCode(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return re.Message.Code
	}
	return 0
}
