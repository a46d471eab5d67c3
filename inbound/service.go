// Package inbound handles texts coming back from contacts: Twilio's
// webhooks (incoming texts, delivery receipts) or, without a public URL,
// polling Twilio's Messages list; opt-out keywords; the relay of texts
// into the staff channel, one thread per contact; and the auto-reply.
package inbound

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot"
	"smsbot/broadcast"
)

// Text is one text a contact sent to one of our senders.
type Text struct {
	SID   string // the provider's message SID; a text is handled once
	From  string // the contact, E.164
	To    string // our sender
	Body  string
	Media []string // media URLs
	At    time.Time
}

// Saved is a stored text with what is known of its sender.
type Saved struct {
	Text    Text
	Keyword Keyword
	Contact broadcast.Contact
	Lists   []string
	// Poll is what the text was to the newest open poll its contact got.
	Poll PollMatch
}

// PollMatch is what an incoming text was to a poll (see package poll).
type PollMatch struct {
	Poll   int64 // 0: the contact had no open poll
	Option int   // 1–9: counted as this answer; 0: not an answer, relayed
	Label  string
	// Confirm is the confirmation to text back, filled in; "" for none.
	Confirm string
	// Changed is set when the answer replaced a different one.
	Changed bool
	// Closed is set when the poll had closed when the text was sent: it
	// is relayed, not counted.
	Closed bool
}

// Counted reports whether the text was counted as a poll answer.
func (m PollMatch) Counted() bool { return m.Poll != 0 && m.Option > 0 && !m.Closed }

// Store is what the inbound service needs of the database.
type Store interface {
	// SaveText stores a text once per SID, creating its contact if unknown.
	// fresh is false for a text seen before (a webhook retry, a replay).
	SaveText(ctx context.Context, t Text, k Keyword) (s Saved, fresh bool, err error)
	OptOut(ctx context.Context, phone, actor string) (broadcast.Contact, error)
	OptIn(ctx context.Context, phone, actor string) (broadcast.Contact, error)
	// ClaimAutoReply records an auto-reply to the contact at now unless one
	// went out less than every ago, and reports whether to send it.
	ClaimAutoReply(ctx context.Context, contactID int64, now time.Time, every time.Duration) (bool, error)
	Thread(ctx context.Context, contactID int64, platform string) (string, error)
	SetThread(ctx context.Context, contactID int64, platform, ref string) error
	MarkRelayed(ctx context.Context, sid string, at time.Time) error
	// Unrelayed returns saved texts not yet shown to staff, oldest first.
	Unrelayed(ctx context.Context, limit int) ([]Saved, error)
	// Relayed reports whether the text with sid was shown to staff.
	Relayed(ctx context.Context, sid string) (bool, error)
	// UnrelayedBefore reports whether the contact has a text, stored
	// before the one with sid, that staff have not been shown.
	UnrelayedBefore(ctx context.Context, contactID int64, sid string) (bool, error)
	// SaveDeadLetter records a text that could not be stored, once per
	// SID; fresh is false when that SID was set aside before.
	SaveDeadLetter(ctx context.Context, d DeadLetter) (fresh bool, err error)
	// UnnotifiedDeadLetters returns dead letters staff were not told of
	// yet, oldest first.
	UnnotifiedDeadLetters(ctx context.Context, limit int) ([]DeadLetter, error)
	// MarkDeadLetterNotified records that staff were told of dead letter id.
	MarkDeadLetterNotified(ctx context.Context, id int64, at time.Time) error
	// ApplyStatus records a delivery receipt.
	ApplyStatus(ctx context.Context, u StatusUpdate) (bool, error)
}

// Staff is the staff channel of a chat platform.
type Staff interface {
	// Platform names the platform, as the key of stored thread references.
	Platform() string
	// Relay shows m in the staff channel: in thread when it is not "",
	// else as a new message. It returns the thread the post belongs to.
	Relay(ctx context.Context, thread string, m bot.Message) (string, error)
}

// Config configures a Service. Store is required.
type Config struct {
	Store Store
	// Staff receives relayed texts and notices; nil keeps them stored only.
	Staff Staff
	// AutoReply answers a relayed text, at most once per contact per
	// AutoReplyEvery (default 12h). Empty: no auto-reply.
	AutoReply      string
	AutoReplyEvery time.Duration
	// HelpReply answers HELP and INFO.
	HelpReply string
	// Media, with a Staff that is a FileStaff, fetches a text's media so
	// that staff see the files, each up to MaxMediaBytes (default
	// DefaultMaxMediaBytes). Without, staff are shown the media's links.
	Media         MediaSource
	MaxMediaBytes int64
	Clock         clockwork.Clock
	Logger        *slog.Logger
}

// Service handles incoming texts. It is safe for concurrent use. Run
// retries the relays to staff that failed; call it once, in a goroutine.
type Service struct {
	cfg    Config
	store  Store
	clock  clockwork.Clock
	log    *slog.Logger
	relays *relayer
}

// DefaultHelpReply answers HELP when SMSBOT_HELP_REPLY is not set.
const DefaultHelpReply = "You get event announcements by text. Reply STOP to stop them, START to get them again."

// New returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("inbound: Config.Store is required")
	}
	cfg.AutoReplyEvery = cmp.Or(cfg.AutoReplyEvery, 12*time.Hour)
	cfg.HelpReply = cmp.Or(cfg.HelpReply, DefaultHelpReply)
	cfg.MaxMediaBytes = cmp.Or(cfg.MaxMediaBytes, DefaultMaxMediaBytes)
	cfg.Clock = cmp.Or[clockwork.Clock](cfg.Clock, clockwork.NewRealClock())
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Service{cfg: cfg, store: cfg.Store, clock: cfg.Clock, log: cfg.Logger.With("component", "inbound"), relays: newRelayer()}, nil
}

// Receive handles one incoming text: it cleans its fields (CleanField),
// stores it once, applies STOP and START, and relays it to the staff
// channel. It returns the reply to send back, if any (HELP's answer, or
// the auto-reply); a contact who opted out gets none, whatever they text.
// A text seen before gets no reply and is not relayed again. A text that
// cannot be stored after a few tries is set aside as a dead letter
// (staff are told once) and Receive returns nil: the caller moves on.
func (s *Service) Receive(ctx context.Context, t Text) (reply string, err error) {
	raw := t
	t = Clean(t)
	if t.At.IsZero() {
		t.At = s.clock.Now()
	}
	k := ParseKeyword(t.Body)
	saved, fresh, err := s.save(ctx, t, k)
	if err != nil {
		return "", s.deadLetter(ctx, raw, t, k, err)
	}
	if !fresh {
		s.log.Debug("text seen before", "sid", t.SID)
		return "", nil
	}
	optedOut := saved.Contact.OptedOutAt != nil
	s.log.Info("text received", "sid", t.SID, "contact_id", saved.Contact.ID, "keyword", string(k), "chars", len([]rune(t.Body)), "opted_out", optedOut)
	switch k {
	case Stop:
		if saved.Contact, err = s.store.OptOut(ctx, t.From, "sms:"+t.From); err != nil {
			return "", fmt.Errorf("opt out: %w", err)
		}
		// Twilio answers STOP itself on its numbers: no reply of ours.
	case Start:
		if saved.Contact, err = s.store.OptIn(ctx, t.From, "sms:"+t.From); err != nil {
			return "", fmt.Errorf("opt in: %w", err)
		}
		if saved.Poll.Counted() { // YES to a yes/no poll: an answer too
			return s.answered(saved, false), nil
		}
	case Help:
		if !optedOut {
			reply = s.cfg.HelpReply
		}
	default:
		if saved.Poll.Counted() {
			return s.answered(saved, optedOut), nil // not relayed: the tally shows it
		}
		if s.cfg.AutoReply != "" && !optedOut {
			ok, err := s.store.ClaimAutoReply(ctx, saved.Contact.ID, t.At, s.cfg.AutoReplyEvery)
			if err != nil {
				return "", fmt.Errorf("auto-reply: %w", err)
			}
			if ok {
				reply = s.cfg.AutoReply
			}
		}
	}
	s.relayNew(ctx, saved)
	return reply, nil
}

// answered logs a counted poll answer and returns its confirmation, if
// any (none to a contact who opted out).
func (s *Service) answered(saved Saved, optedOut bool) string {
	s.log.Info("poll answer counted", "sid", saved.Text.SID, "poll", saved.Poll.Poll, "option", saved.Poll.Option, "changed", saved.Poll.Changed)
	if optedOut {
		return ""
	}
	return saved.Poll.Confirm
}

// storeTries is how many times a text is offered to the store before it
// is set aside as a dead letter.
const storeTries = 3

// save stores a text, trying storeTries times.
func (s *Service) save(ctx context.Context, t Text, k Keyword) (saved Saved, fresh bool, err error) {
	for range storeTries {
		if saved, fresh, err = s.store.SaveText(ctx, t, k); err == nil || ctx.Err() != nil {
			break
		}
	}
	return saved, fresh, err
}

// Backfill records a text received before the bot watched its number: it
// is cleaned and stored once and STOP or START apply, but it is neither
// relayed nor answered. A text that cannot be stored becomes a dead letter.
func (s *Service) Backfill(ctx context.Context, t Text) error {
	raw := t
	t = Clean(t)
	k := ParseKeyword(t.Body)
	_, fresh, err := s.save(ctx, t, k)
	if err != nil {
		return s.deadLetter(ctx, raw, t, k, err)
	}
	if !fresh {
		return nil
	}
	switch k {
	case Stop:
		_, err = s.store.OptOut(ctx, t.From, "sms:"+t.From)
	case Start:
		_, err = s.store.OptIn(ctx, t.From, "sms:"+t.From)
	}
	if err != nil {
		return err
	}
	return s.store.MarkRelayed(ctx, t.SID, s.clock.Now())
}

// relayNotice is the one-line notice staff get for a keyword, posted on
// its own rather than in the contact's thread; it is empty for other texts.
func relayNotice(saved Saved) bot.Message {
	switch saved.Keyword {
	case Stop:
		return bot.Message{Text: fmt.Sprintf("🚫 %s texted %s: opted out of all texts from every number", who(saved), strings.TrimSpace(saved.Text.Body))}
	case Start:
		return bot.Message{Text: fmt.Sprintf("✅ %s texted %s: opted back in", who(saved), strings.TrimSpace(saved.Text.Body))}
	case Help:
		if saved.Contact.OptedOutAt != nil {
			return bot.Message{Text: fmt.Sprintf("ℹ️ %s asked for HELP; they opted out, so they got no reply", who(saved))}
		}
		return bot.Message{Text: fmt.Sprintf("ℹ️ %s asked for HELP and got the help reply", who(saved))}
	}
	return bot.Message{}
}

// relayMessage shows an incoming text: who sent it, to which number, the
// text, whether they opted out (they get no auto-reply), and media, the
// fields of its media (mediaFields).
func relayMessage(saved Saved, media []bot.Field) bot.Message {
	m := bot.Message{Title: "💬 " + who(saved), Text: "> " + strings.ReplaceAll(saved.Text.Body, "\n", "\n> ")}
	if len(saved.Lists) > 0 {
		m.Fields = append(m.Fields, bot.Field{Label: "Lists", Value: strings.Join(saved.Lists, ", ")})
	}
	m.Fields = append(m.Fields, bot.Field{Label: "To", Value: saved.Text.To})
	switch {
	case saved.Poll.Closed:
		m.Fields = append(m.Fields, bot.Field{Label: "Poll", Value: fmt.Sprintf("came after poll #%d closed: not counted", saved.Poll.Poll)})
	case saved.Poll.Poll != 0 && !saved.Poll.Counted():
		m.Fields = append(m.Fields, bot.Field{Label: "Poll", Value: fmt.Sprintf("not an answer to poll #%d", saved.Poll.Poll)})
	}
	if saved.Contact.OptedOutAt != nil {
		m.Fields = append(m.Fields, bot.Field{Label: "Opted out", Value: "yes: they get no auto-reply"})
	}
	m.Fields = append(m.Fields, media...)
	return m
}

func who(saved Saved) string {
	if saved.Contact.Name != "" {
		return fmt.Sprintf("%s (%s)", saved.Contact.Name, saved.Text.From)
	}
	return saved.Text.From
}
