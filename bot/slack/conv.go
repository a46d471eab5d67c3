package slack

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"smsbot/bot"
)

// conversation is a Slack channel as the router sees it, for one user's
// command or click.
type conversation struct {
	a           *Adapter
	channel     string
	user        string
	responseURL string
	thread      string // post answers in this thread
}

var _ bot.Conversation = (*conversation)(nil)

func (a *Adapter) conversation(channel, user, responseURL string) *conversation {
	return &conversation{a: a, channel: channel, user: user, responseURL: responseURL}
}

func ref(channel, ts string) bot.Ref { return bot.Ref(channel + "/" + ts) }

func unref(r bot.Ref) (channel, ts string, ok bool) {
	return strings.Cut(string(r), "/")
}

// rendered is a message as Slack is sent it: the text field and blocks.
type rendered struct {
	text   string
	blocks []slack.Block
}

func render(m bot.Message) rendered { return rendered{text: Fallback(m), blocks: Blocks(m)} }

// Post posts m in the channel with chat.postMessage, or, when ephemeral,
// shows it to the user alone through the response URL. A message Slack
// refuses for its content is posted again in short (see shorten).
func (c *conversation) Post(ctx context.Context, m bot.Message) (bot.Ref, error) {
	if m.Ephemeral {
		return "", c.a.orShort(m, func(r rendered) error { return c.ephemeral(ctx, r) })
	}
	var posted bot.Ref
	err := c.a.orShort(m, func(r rendered) error {
		ch, ts, err := c.a.api.PostMessageContext(ctx, c.channel, c.options(r)...)
		if err != nil {
			return fmt.Errorf("chat.postMessage: %w", bot.Redact(err))
		}
		posted = ref(ch, ts)
		return nil
	})
	if isNotInChannel(err) {
		_ = c.ephemeral(ctx, render(bot.Message{Text: "⚠️ smsbot cannot post in this channel: invite it with `/invite @smsbot`"}))
	}
	return posted, err
}

// Update edits a posted message in place with chat.update, in short if
// Slack refuses it for its content.
func (c *conversation) Update(ctx context.Context, r bot.Ref, m bot.Message) error {
	ch, ts, ok := unref(r)
	if !ok {
		return fmt.Errorf("chat.update: bad message reference %q", r)
	}
	return c.a.orShort(m, func(r rendered) error {
		_, _, _, err := c.a.api.UpdateMessageContext(ctx, ch, ts, slack.MsgOptionText(r.text, false), slack.MsgOptionBlocks(r.blocks...))
		if err != nil {
			return fmt.Errorf("chat.update: %w", bot.Redact(err))
		}
		return nil
	})
}

// ephemeral shows r to the user alone: through the response URL (which
// no error or log line names: it answers as the user for 30 minutes), or
// with chat.postEphemeral.
func (c *conversation) ephemeral(ctx context.Context, r rendered) error {
	if c.responseURL != "" {
		err := slack.PostWebhookCustomHTTPContext(ctx, c.responseURL, c.a.cfg.HTTPClient, &slack.WebhookMessage{
			ResponseType: slack.ResponseTypeEphemeral,
			Text:         r.text,
			Blocks:       &slack.Blocks{BlockSet: r.blocks},
		})
		if err != nil {
			return fmt.Errorf("response_url: %w", bot.Redact(err))
		}
		return nil
	}
	_, err := c.a.api.PostEphemeralContext(ctx, c.channel, c.user, c.options(r)...)
	if err != nil {
		return fmt.Errorf("chat.postEphemeral: %w", bot.Redact(err))
	}
	return nil
}

// options sends r, in the conversation's thread if it has one.
func (c *conversation) options(r rendered) []slack.MsgOption {
	opts := []slack.MsgOption{slack.MsgOptionText(r.text, false), slack.MsgOptionBlocks(r.blocks...)}
	if c.thread != "" {
		opts = append(opts, slack.MsgOptionTS(c.thread))
	}
	return opts
}

func isNotInChannel(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "not_in_channel") || strings.Contains(err.Error(), "channel_not_found"))
}

// Channel returns a channel as a Conversation, for notices the bot posts on
// its own (resumed broadcasts, incoming texts).
func (a *Adapter) Channel(id string) bot.Conversation { return a.conversation(id, "", "") }
