package slack

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"smsbot/bot"
)

// Platform is the key of Slack's thread references in the store.
const Platform = "slack"

// Staff is the staff channel: incoming texts go there, one thread per
// contact.
type Staff struct {
	a       *Adapter
	channel string
}

// Staff returns the staff channel (SLACK_STAFF_CHANNEL), or nil when none
// is configured.
func (a *Adapter) Staff() *Staff {
	if a.cfg.StaffChannel == "" {
		return nil
	}
	return &Staff{a: a, channel: a.cfg.StaffChannel}
}

// Platform names Slack.
func (s *Staff) Platform() string { return Platform }

// Relay posts m in the staff channel, in thread when it is set. It
// returns the thread: the timestamp of the thread's first message.
func (s *Staff) Relay(ctx context.Context, thread string, m bot.Message) (string, error) {
	var ts string
	err := s.a.orShort(m, func(r rendered) error {
		opts := []slack.MsgOption{slack.MsgOptionText(r.text, false), slack.MsgOptionBlocks(r.blocks...)}
		if thread != "" {
			opts = append(opts, slack.MsgOptionTS(thread))
		}
		var err error
		_, ts, err = s.a.api.PostMessageContext(ctx, s.channel, opts...)
		return err
	})
	if err != nil {
		return "", withRetryAfter(fmt.Errorf("chat.postMessage to staff channel: %w", bot.Redact(err)))
	}
	if thread != "" {
		return thread, nil
	}
	return ts, nil
}

// RelayFile shows data as a file called name in the staff channel, in
// thread when it is set: a contact's MMS picture next to their text.
// Staff see the contact's texts already, so it goes to the channel, not
// to one person.
func (s *Staff) RelayFile(ctx context.Context, thread, name string, data []byte) error {
	_, err := s.a.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Reader: bytes.NewReader(data), FileSize: len(data), Filename: name, Title: name,
		Channel: s.channel, ThreadTimestamp: thread})
	if err != nil {
		return withRetryAfter(fmt.Errorf("upload %s to the staff channel: %w", name, bot.Redact(err)))
	}
	return nil
}

// handleEvent runs Events API callbacks: a staff member's reply in a
// contact's thread is texted to that contact, through /sms reply so the
// same access rules apply.
func (a *Adapter) handleEvent(ev slackevents.EventsAPIEvent) {
	if fs, ok := ev.InnerEvent.Data.(*slackevents.FileSharedEvent); ok {
		a.handleFileShared(fs)
		return
	}
	msg, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok || a.cfg.StaffChannel == "" {
		return
	}
	if msg.Channel != a.cfg.StaffChannel || msg.ThreadTimeStamp == "" || msg.ThreadTimeStamp == msg.TimeStamp ||
		msg.BotID != "" || msg.SubType != "" || msg.User == "" {
		return // not a person's reply in a thread of the staff channel
	}
	conv := a.conversation(msg.Channel, msg.User, "")
	conv.thread = msg.ThreadTimeStamp
	inv := bot.Invocation{User: msg.User, Channel: msg.Channel, Text: unescape(msg.Text)}
	a.spawn(func(ctx context.Context) {
		a.cfg.Router.ThreadReply(ctx, Platform, msg.ThreadTimeStamp, inv, conv)
	})
}

// handleFileShared offers an uploaded file to the router, which imports it
// if its user asked to import into a list in that channel just before.
func (a *Adapter) handleFileShared(ev *slackevents.FileSharedEvent) {
	if ev.UserID == "" || ev.ChannelID == "" {
		return
	}
	conv := a.conversation(ev.ChannelID, ev.UserID, "")
	a.spawn(func(ctx context.Context) {
		a.cfg.Router.Upload(ctx, bot.Upload{User: ev.UserID, Channel: ev.ChannelID, Ref: fileIDPrefix + ev.FileID,
			Files: files{a: a, channel: ev.ChannelID, user: ev.UserID}}, conv)
	})
}

// unescape undoes Slack's escaping of &, < and > in message text.
func unescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}
