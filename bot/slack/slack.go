// Package slack is smsbot's Slack adapter: /sms as a slash command, Block
// Kit previews with Approve and Cancel buttons, and progress edited in
// place. It connects over Socket Mode (no public URL needed) when an app
// token is set, and otherwise serves signed HTTP endpoints.
package slack

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/slack-go/slack"

	"smsbot/bot"
)

// Config configures an Adapter.
type Config struct {
	Router *bot.Router
	// BotToken (xoxb-…) calls the Web API. Required.
	BotToken string
	// AppToken (xapp-…) selects Socket Mode.
	AppToken string
	// SigningSecret verifies HTTP requests; required without AppToken.
	SigningSecret string
	// APIURL replaces https://slack.com/api/ (tests, local fakes).
	APIURL string
	// FilesURL replaces https://files.slack.com, where shared files are
	// downloaded from (tests, local fakes). Links to import must still
	// name https://files.slack.com; only their path is fetched from here.
	FilesURL string
	// MaxImportBytes is the largest file /sms import downloads
	// (SMSBOT_MAX_IMPORT_BYTES; default bot.DefaultMaxImportBytes, 20 MiB).
	MaxImportBytes int64
	// StaffChannel, when set, is the only channel (ID) taking commands,
	// and where incoming texts are relayed.
	StaffChannel string
	// HTTPClient calls Slack (default: 15 s timeout). Web API calls
	// refused with 429 are retried after their Retry-After.
	HTTPClient *http.Client
	Clock      clockwork.Clock // default: real; request ages, Retry-After waits
	Logger     *slog.Logger    // default: discard
}

// Adapter connects the router to Slack.
type Adapter struct {
	cfg   Config
	api   *slack.Client
	clock clockwork.Clock
	// filesURL is where files are downloaded from, with downloads
	filesURL  *url.URL
	downloads *http.Client
	log       *slog.Logger
	events    *seen // event IDs handled lately
	// requests (signatures of HTTP requests) and envelopes (Socket Mode
	// envelope IDs) handled within the replay window
	requests, envelopes *seen
	badSigs             *bot.LogLimit  // the "refused unsigned Slack request" log line
	wg                  sync.WaitGroup // handlers running commands
}

// New checks cfg and returns an adapter.
func New(cfg Config) (*Adapter, error) {
	switch {
	case cfg.Router == nil:
		return nil, errors.New("slack: Config.Router is required")
	case cfg.BotToken == "":
		return nil, errors.New("slack: SLACK_BOT_TOKEN is required")
	case cfg.AppToken == "" && cfg.SigningSecret == "":
		return nil, errors.New("slack: set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)")
	case cfg.AppToken != "" && !strings.HasPrefix(cfg.AppToken, "xapp-"):
		return nil, errors.New("slack: SLACK_APP_TOKEN must be an app-level token starting with xapp-")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	cfg.Clock = cmp.Or[clockwork.Clock](cfg.Clock, clockwork.NewRealClock())
	cfg.MaxImportBytes = cmp.Or(cfg.MaxImportBytes, bot.DefaultMaxImportBytes)
	filesURL, err := url.Parse(cmp.Or(cfg.FilesURL, "https://"+filesHost))
	if err != nil || filesURL.Host == "" || (filesURL.Scheme != "https" && filesURL.Scheme != "http") {
		return nil, fmt.Errorf("slack: Config.FilesURL %q is not an http(s) URL", cfg.FilesURL)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	log := cfg.Logger.With("component", "slack")
	opts := []slack.Option{slack.OptionHTTPClient(newRetrier(cfg.HTTPClient, cfg.Clock, log))}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	if cfg.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(strings.TrimSuffix(cfg.APIURL, "/")+"/"))
	}
	return &Adapter{
		cfg:       cfg,
		api:       slack.New(cfg.BotToken, opts...),
		clock:     cfg.Clock,
		log:       log,
		filesURL:  filesURL,
		downloads: downloadClient(cfg.HTTPClient, filesURL.Scheme),
		events:    newSeen(cfg.Clock, seenFor, maxSeen),
		requests:  newSeen(cfg.Clock, replayWindow, maxRequests),
		envelopes: newSeen(cfg.Clock, replayWindow, maxRequests),
		badSigs:   &bot.LogLimit{Every: bot.RefusalLogEvery},
	}, nil
}

// SocketMode reports whether the adapter connects over Socket Mode.
func (a *Adapter) SocketMode() bool { return a.cfg.AppToken != "" }

// Close waits for the commands being handled to finish.
func (a *Adapter) Close() { a.wg.Wait() }

// handleCommand runs a slash command after it has been acknowledged:
// Slack wants the acknowledgement within 3 s, the work may take longer.
func (a *Adapter) handleCommand(cmd slack.SlashCommand) {
	conv := a.conversation(cmd.ChannelID, cmd.UserID, cmd.ResponseURL)
	a.spawn(func(ctx context.Context) {
		if a.outsideStaff(ctx, conv, "command") {
			return
		}
		a.cfg.Router.Command(ctx, bot.Invocation{User: cmd.UserID, Channel: cmd.ChannelID, Text: cmd.Text,
			Files: files{a: a, channel: cmd.ChannelID, user: cmd.UserID}, Uploads: true}, conv)
	})
}

// handleInteraction runs the button presses of a block_actions payload.
// A press in another channel than the staff channel is refused, as a
// command there is: whoever can see a message with buttons elsewhere (a
// forwarded or shared one) cannot approve or cancel from there.
func (a *Adapter) handleInteraction(cb slack.InteractionCallback) {
	if cb.Type != slack.InteractionTypeBlockActions {
		return
	}
	ts := cb.Container.MessageTs
	if ts == "" {
		ts = cb.Message.Timestamp
	}
	channel := cmp.Or(cb.Channel.ID, cb.Container.ChannelID)
	conv := a.conversation(channel, cb.User.ID, cb.ResponseURL)
	a.spawn(func(ctx context.Context) {
		if a.outsideStaff(ctx, conv, "button press") {
			return
		}
		for _, act := range cb.ActionCallback.BlockActions {
			a.cfg.Router.Click(ctx, bot.Click{User: cb.User.ID, Action: act.ActionID, Message: ref(channel, ts)}, conv)
		}
	})
}

// outsideStaff refuses, and tells the user, what comes from outside the
// staff channel when one is set.
func (a *Adapter) outsideStaff(ctx context.Context, conv *conversation, what string) bool {
	if a.cfg.StaffChannel == "" || conv.channel == a.cfg.StaffChannel {
		return false
	}
	a.log.Info(what+" refused outside the staff channel", "user", conv.user, "channel", conv.channel)
	err := conv.ephemeral(ctx, rendered{
		text:   "⚠️ smsbot takes commands only in the staff channel",
		blocks: []slack.Block{section("⚠️ smsbot takes commands and button presses only in " + a.staffLink())},
	})
	if err != nil {
		a.log.Error("answering outside the staff channel failed", "err", err)
	}
	return true
}

// staffLink is the staff channel as a link, "<#C…>": the one mrkdwn smsbot
// writes itself, from a channel ID it checks.
func (a *Adapter) staffLink() string {
	id := a.cfg.StaffChannel
	if id == "" || strings.Trim(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		return escape(id)
	}
	return "<#" + id + ">"
}

// spawn runs fn on a goroutine that Close waits for. fn's context is not
// cancelled by shutdown: a command that started finishes.
func (a *Adapter) spawn(fn func(ctx context.Context)) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		fn(ctx)
	}()
}
