package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
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
	// limit is the most bytes a file may have (the interaction's
	// attachment_size_limit, or defaultUploadLimit).
	limit int

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
func (a *Adapter) Channel(id string) bot.Conversation {
	return &conversation{a: a, channel: id, limit: defaultUploadLimit}
}

// Post shows m. An ephemeral message answering an interaction fills the
// deferred response, or else is an ephemeral follow-up; any other message
// is posted in the channel with the bot token, so it can be edited for as
// long as a broadcast runs. A message Discord refuses as too long is
// posted again shortened (minimal).
func (c *conversation) Post(ctx context.Context, m bot.Message) (bot.Ref, error) {
	if m.Ephemeral && c.ix != nil {
		return "", c.ephemeral(ctx, m)
	}
	var msg *discordgo.Message
	err := c.a.shortenIfRefused(m, func(m bot.Message) (err error) {
		msg, err = c.a.api.ChannelMessageSendComplex(c.channel, &discordgo.MessageSend{
			Embeds: embeds(m), Components: components(m), AllowedMentions: noMentions,
		}, discordgo.WithContext(ctx))
		return err
	})
	if err != nil {
		if c.ix != nil && (restCode(err) == discordgo.ErrCodeMissingAccess || restCode(err) == discordgo.ErrCodeMissingPermissions) {
			_ = c.ephemeral(ctx, bot.Message{Text: "⚠️ smsbot cannot post in this channel: let its role View Channel, Send Messages, Embed Links and Attach Files here"})
		}
		return "", fmt.Errorf("discord: post message: %w", scrub(err))
	}
	return ref(msg.ChannelID, msg.ID), nil
}

// Update edits a message posted in a channel.
func (c *conversation) Update(ctx context.Context, r bot.Ref, m bot.Message) error {
	channel, id, ok := unref(r)
	if !ok {
		return fmt.Errorf("discord: edit message: bad message reference %q", r)
	}
	err := c.a.shortenIfRefused(m, func(m bot.Message) error {
		e, comps := embeds(m), components(m)
		_, err := c.a.api.ChannelMessageEditComplex(&discordgo.MessageEdit{Channel: channel, ID: id,
			Embeds: &e, Components: &comps, AllowedMentions: noMentions}, discordgo.WithContext(ctx))
		return err
	})
	if err != nil {
		return fmt.Errorf("discord: edit message: %w", scrub(err))
	}
	return nil
}

// ephemeral shows m to the interaction's user alone.
func (c *conversation) ephemeral(ctx context.Context, m bot.Message) error {
	if c.takeDeferred() {
		err := c.a.shortenIfRefused(m, func(m bot.Message) error {
			e, comps := embeds(m), components(m)
			_, err := c.a.api.InteractionResponseEdit(c.ix, &discordgo.WebhookEdit{Embeds: &e, Components: &comps,
				AllowedMentions: noMentions}, discordgo.WithContext(ctx))
			return err
		})
		if err != nil {
			return fmt.Errorf("discord: edit interaction response: %w", scrub(err))
		}
		return nil
	}
	err := c.a.shortenIfRefused(m, func(m bot.Message) error {
		_, err := c.a.api.FollowupMessageCreate(c.ix, true, &discordgo.WebhookParams{Embeds: embeds(m), Components: components(m),
			Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions}, discordgo.WithContext(ctx))
		return err
	})
	if err != nil {
		return fmt.Errorf("discord: ephemeral follow-up: %w", scrub(err))
	}
	return nil
}

// notice fills the deferred response with the adapter's own words, which
// are not escaped (a channel link, <#id>).
func (c *conversation) notice(ctx context.Context, text string) {
	if !c.takeDeferred() {
		return
	}
	if _, err := c.a.api.InteractionResponseEdit(c.ix, &discordgo.WebhookEdit{Content: &text, AllowedMentions: noMentions},
		discordgo.WithContext(ctx)); err != nil {
		c.a.log.Warn("answering an interaction failed", "err", scrub(err))
	}
}

// shortenIfRefused sends m; when Discord refuses it as too long (400,
// Invalid Form Body: its count differs from the adapter's), it sends
// minimal(m) once instead, which says it was shortened.
func (a *Adapter) shortenIfRefused(m bot.Message, send func(bot.Message) error) error {
	err := send(m)
	if !tooLong(err) {
		return err
	}
	a.log.Warn("Discord refused a message as too long; sending it shortened", "title", plain(m.Title, 100), "err", err)
	if err2 := send(minimal(m)); err2 != nil {
		return errors.Join(err, err2)
	}
	return nil
}

// tooLong reports whether err is Discord's refusal of a message over its
// limits.
func tooLong(err error) bool {
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusBadRequest &&
		re.Message != nil && re.Message.Code == discordgo.ErrCodeInvalidFormBody
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
		c.a.log.Warn("deleting the deferred response failed", "err", scrub(err))
	}
}

// restCode is the JSON error code of a Discord API error, or 0.
func restCode(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return re.Message.Code
	}
	return 0
}
