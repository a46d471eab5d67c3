package discord

import (
	"cmp"
	"context"
	"path"
	"strings"

	"github.com/bwmarrin/discordgo"

	"smsbot/bot"
	"smsbot/inbound"
)

// threadArchive is how long a contact's thread stays open without
// messages, in minutes (a week). A new text reopens it.
const threadArchive = 7 * 24 * 60

// maxThreadName is Discord's limit on a thread's name, in UTF-16 units.
const maxThreadName = 100

// Staff is the staff channel: incoming texts go there, one thread per
// contact. It implements the inbound service's Staff.
type Staff struct {
	a       *Adapter
	channel string
}

// Staff returns the staff channel (DISCORD_STAFF_CHANNEL), or nil when
// none is configured.
func (a *Adapter) Staff() *Staff {
	if a.cfg.StaffChannel == "" {
		return nil
	}
	return &Staff{a: a, channel: a.cfg.StaffChannel}
}

// Platform names Discord.
func (s *Staff) Platform() string { return Platform }

// Relay shows m in the staff channel. With a thread (a thread's channel
// ID), m goes into it. Without, m is posted in the channel and, when it
// has a title (an incoming text, not a one-line notice such as an
// opt-out), a thread named after it is started from it; Relay returns the
// thread's ID, which is the ID of its first message. A thread that was
// deleted is started anew. If the thread cannot be started, the message
// stays shown and Relay returns "" (the next text tries again).
func (s *Staff) Relay(ctx context.Context, thread string, m bot.Message) (string, error) {
	if thread != "" {
		_, err := s.a.Channel(thread).Post(ctx, m)
		if err == nil {
			return thread, nil
		}
		if restCode(err) != discordgo.ErrCodeUnknownChannel {
			return "", withRetryAfter(scrub(err))
		}
		s.a.log.Info("a contact's thread is gone; starting another", "thread", thread)
	}
	r, err := s.a.Channel(s.channel).Post(ctx, m)
	if err != nil || m.Title == "" {
		return "", withRetryAfter(scrub(err))
	}
	_, id, _ := unref(r)
	name := plain(strings.TrimPrefix(m.Title, "💬"), maxThreadName)
	if name == "" {
		name = "contact"
	}
	th, err := s.a.api.MessageThreadStart(s.channel, id, name, threadArchive, discordgo.WithContext(ctx))
	if err != nil {
		s.a.log.Error("starting a contact's thread failed: give smsbot Create Public Threads in the staff channel", "err", scrub(err))
		return "", nil
	}
	return th.ID, nil
}

var _ inbound.FileStaff = (*Staff)(nil)

// RelayFile shows a file of a contact's text (an MMS's picture) in their
// thread, or in the staff channel when thread is "". A file over Discord's
// upload limit is zipped, or split into zipped parts.
func (s *Staff) RelayFile(ctx context.Context, thread, name string, data []byte) error {
	conv := &conversation{a: s.a, channel: cmp.Or(thread, s.channel), limit: defaultUploadLimit}
	name = strings.Trim(plain(path.Base(name), 100), ". ")
	if name == "" {
		name = "file"
	}
	_, err := conv.Attach(ctx, name, data, "")
	return withRetryAfter(err)
}

// onMessage handles a message from the gateway: a person's message in a
// contact's thread is texted to that contact, through /sms reply so the
// same access rules apply, and answered in the thread.
func (a *Adapter) onMessage(_ *discordgo.Session, ev *discordgo.MessageCreate) {
	m := ev.Message
	if m == nil || a.cfg.StaffChannel == "" || m.Author == nil || m.Author.Bot || m.WebhookID != "" ||
		(m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply) {
		return // not a person's message
	}
	text := strings.TrimSpace(m.Content)
	if text == "" {
		return // an attachment alone, or no Message Content intent
	}
	inv := bot.Invocation{User: m.Author.ID, Channel: m.ChannelID, Text: text}
	a.spawn(func(ctx context.Context) {
		a.cfg.Router.ThreadReply(ctx, Platform, m.ChannelID, inv, a.Channel(m.ChannelID))
	})
}
