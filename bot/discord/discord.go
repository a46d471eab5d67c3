// Package discord is smsbot's Discord adapter: /sms as a slash command
// with typed options (lists autocompleted), previews as embeds with
// Approve and Cancel buttons, and progress edited in place. Interactions
// arrive over the gateway (Run) or as signed HTTP requests (Routes); the
// gateway also carries staff replies in contacts' threads.
//
// Every command is deferred at once (Discord wants an answer within 3 s)
// and run on a goroutine. Ephemeral answers go through the interaction;
// everything else is posted with the bot token, so that progress can
// still be edited after the interaction token expires (15 minutes).
// Files (exports, import reports) go to the person who asked alone, in
// ephemeral follow-ups, zipped or split when over Discord's upload limit.
//
// Everything shown is escaped for Discord's markdown and clipped to its
// limits in UTF-16 units (escape.go, measure.go); interaction tokens never
// reach logs or errors (redact.go); an interaction is acted on once
// (seen.go); commands and clicks are taken in the staff channel alone.
package discord

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/jonboulle/clockwork"

	"smsbot/bot"
	"smsbot/broadcast"
)

// Platform is the key of Discord's thread references in the store.
const Platform = "discord"

// Config configures an Adapter. Router, Token and AppID are required.
type Config struct {
	// Router runs the commands and clicks.
	Router *bot.Router
	// Token is the bot token (DISCORD_BOT_TOKEN). Every mode needs it:
	// answers that everyone sees, progress edits and threads are sent
	// with it.
	Token string
	// AppID is the application ID (DISCORD_APP_ID), to register /sms.
	AppID string
	// PublicKey is the application's public key in hex
	// (DISCORD_PUBLIC_KEY). It turns on HTTP interactions (Routes).
	PublicKey string
	// GuildID (DISCORD_GUILD_ID), when set, registers /sms on that server
	// alone, where it is available at once; otherwise it is global.
	GuildID string
	// StaffChannel (DISCORD_STAFF_CHANNEL) is the channel ID where
	// incoming texts are relayed, one thread per contact.
	StaffChannel string
	// Lists suggests list names as the user types them. Nil: no
	// suggestions.
	Lists func(ctx context.Context) ([]broadcast.List, error)
	// APIURL (DISCORD_API_URL) replaces https://discord.com for REST
	// calls (tests, local fakes); attachments may then come from its host.
	APIURL string
	// HTTPClient makes the REST calls and downloads attachments (default:
	// 20 s timeout). The adapter uses a copy; the caller's is not changed.
	// Calls wait for Discord's rate limits, and calls refused with 429 are
	// retried after their retry_after.
	HTTPClient *http.Client
	Clock      clockwork.Clock // default: real; judges the age of HTTP requests, times rate-limit waits
	Logger     *slog.Logger    // default: discard
}

// Adapter connects the router to Discord. Its methods are safe for
// concurrent use.
type Adapter struct {
	cfg    Config
	api    *discordgo.Session
	key    ed25519.PublicKey // nil without PublicKey
	apiURL *url.URL          // APIURL parsed, or nil
	clock  clockwork.Clock
	log    *slog.Logger
	wg     sync.WaitGroup // handlers running commands

	seen     *seen         // interactions acted on, against replays
	refusals *bot.LogLimit // of the log lines about refused requests
}

// New checks cfg and returns an adapter. It connects to nothing: Run
// opens the gateway, Routes serves HTTP interactions.
func New(cfg Config) (*Adapter, error) {
	a := &Adapter{}
	switch {
	case cfg.Router == nil:
		return nil, errors.New("discord: Config.Router is required")
	case cfg.Token == "":
		return nil, errors.New("discord: DISCORD_BOT_TOKEN is required (Developer Portal → your app → Bot → Reset Token)")
	case !snowflake(cfg.AppID):
		return nil, errors.New("discord: DISCORD_APP_ID must be the application ID, a number (Developer Portal → General Information)")
	case cfg.GuildID != "" && !snowflake(cfg.GuildID):
		return nil, errors.New("discord: DISCORD_GUILD_ID must be a server ID, a number (right-click the server → Copy Server ID)")
	case cfg.StaffChannel != "" && !snowflake(cfg.StaffChannel):
		return nil, errors.New("discord: DISCORD_STAFF_CHANNEL must be a channel ID, a number (right-click the channel → Copy Channel ID)")
	}
	if cfg.PublicKey != "" {
		key, err := hex.DecodeString(cfg.PublicKey)
		if err != nil || len(key) != ed25519.PublicKeySize {
			return nil, errors.New("discord: DISCORD_PUBLIC_KEY must be the application's public key, 64 hex digits (Developer Portal → General Information)")
		}
		a.key = key
	}
	if cfg.APIURL != "" {
		u, err := url.Parse(cfg.APIURL)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, errors.New("discord: DISCORD_API_URL must be an http(s) URL like http://127.0.0.1:8088")
		}
		a.apiURL = u
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 20 * time.Second}
	}
	cfg.Clock = cmp.Or[clockwork.Clock](cfg.Clock, clockwork.NewRealClock())
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	api, err := discordgo.New("Bot " + strings.TrimPrefix(cfg.Token, "Bot "))
	if err != nil {
		return nil, err
	}
	log := cfg.Logger.With("component", "discord")
	// A copy: the caller's client is not changed. Its timeout bounds each
	// attempt of a call, not the waits for Discord's rate limits between.
	client := *cfg.HTTPClient
	client.Transport = newLimiter(rewrite(client.Transport, a.apiURL), cfg.Clock, log, client.Timeout)
	client.Timeout = 0
	api.Client = &client
	api.ShouldRetryOnRateLimit = false // the limiter retries, on the adapter's clock
	api.Identify.Intents = intents
	a.cfg, a.api, a.clock, a.log = cfg, api, cfg.Clock, log
	a.seen, a.refusals = newSeen(cfg.Clock), &bot.LogLimit{Every: bot.RefusalLogEvery}
	return a, nil
}

// Close waits for the commands being handled to finish.
func (a *Adapter) Close() { a.wg.Wait() }

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

// snowflake reports whether s looks like a Discord ID.
func snowflake(s string) bool {
	return s != "" && len(s) <= 20 && strings.Trim(s, "0123456789") == ""
}
