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

// Post posts m in the channel with chat.postMessage, or, when ephemeral,
// shows it to the user alone through the response URL.
func (c *conversation) Post(ctx context.Context, m bot.Message) (bot.Ref, error) {
	if m.Ephemeral {
		return "", c.ephemeral(ctx, m)
	}
	ch, ts, err := c.a.api.PostMessageContext(ctx, c.channel, c.options(m)...)
	if err != nil {
		if isNotInChannel(err) {
			_ = c.ephemeral(ctx, bot.Message{Text: "⚠️ smsbot cannot post in this channel: invite it with `/invite @smsbot`"})
		}
		return "", fmt.Errorf("chat.postMessage: %w", err)
	}
	return ref(ch, ts), nil
}

// Update edits a posted message in place with chat.update.
func (c *conversation) Update(ctx context.Context, r bot.Ref, m bot.Message) error {
	ch, ts, ok := unref(r)
	if !ok {
		return fmt.Errorf("chat.update: bad message reference %q", r)
	}
	_, _, _, err := c.a.api.UpdateMessageContext(ctx, ch, ts,
		slack.MsgOptionText(Fallback(m), false), slack.MsgOptionBlocks(Blocks(m)...))
	if err != nil {
		return fmt.Errorf("chat.update: %w", err)
	}
	return nil
}

func (c *conversation) ephemeral(ctx context.Context, m bot.Message) error {
	if c.responseURL != "" {
		err := slack.PostWebhookCustomHTTPContext(ctx, c.responseURL, c.a.cfg.HTTPClient, &slack.WebhookMessage{
			ResponseType: slack.ResponseTypeEphemeral,
			Text:         Fallback(m),
			Blocks:       &slack.Blocks{BlockSet: Blocks(m)},
		})
		if err != nil {
			return fmt.Errorf("response_url: %w", err)
		}
		return nil
	}
	_, err := c.a.api.PostEphemeralContext(ctx, c.channel, c.user, c.options(m)...)
	if err != nil {
		return fmt.Errorf("chat.postEphemeral: %w", err)
	}
	return nil
}

// options renders m, in the conversation's thread if it has one.
func (c *conversation) options(m bot.Message) []slack.MsgOption {
	opts := []slack.MsgOption{slack.MsgOptionText(Fallback(m), false), slack.MsgOptionBlocks(Blocks(m)...)}
	if c.thread != "" {
		opts = append(opts, slack.MsgOptionTS(c.thread))
	}
	return opts
}

func isNotInChannel(err error) bool {
	return strings.Contains(err.Error(), "not_in_channel") || strings.Contains(err.Error(), "channel_not_found")
}

// Channel returns a channel as a Conversation, for notices the bot posts on
// its own (resumed broadcasts, incoming texts).
func (a *Adapter) Channel(id string) bot.Conversation { return a.conversation(id, "", "") }
