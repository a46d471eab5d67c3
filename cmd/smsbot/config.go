package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"smsbot/bot"
	"smsbot/broadcast/latency"
	"smsbot/broadcast/sim"
	"smsbot/inbound"
	"smsbot/store"
)

// Config is every setting of smsbot. Each has a flag and an environment
// variable; a flag wins over its variable.
type Config struct {
	DB              string
	TwilioSID       string
	TwilioToken     string
	TwilioAPIURL    string
	DefaultMPS      float64
	PricePerSegment float64
	Region          string
	Admins          []string
	Approvers       []string
	MaxAttempts     int
	// Concurrency caps the calls in flight to the provider's account.
	Concurrency int
	// MaxImportBytes is the largest CSV file an import takes.
	MaxImportBytes int64
	// Twilio transport deadlines (twilio.Config).
	TwilioTimeout, TwilioHeaderTimeout, TwilioDialTimeout, TwilioTLSTimeout time.Duration
	LogLevel                                                                slog.Level
	SimLatency                                                              latency.Dist
	// SimFailures fails a share of simulated texts (simfailures.go).
	SimFailures sim.Failures

	// HTTP server of smsbot serve (httpconfig.go).
	HTTPAddr                                           string
	HTTPReadTimeout, HTTPWriteTimeout, HTTPIdleTimeout time.Duration
	HTTPMaxConns                                       int
	// MetricsAddr, when set, serves /metrics on a listener of its own;
	// MetricsToken, when set, is the bearer token /metrics requires.
	MetricsAddr, MetricsToken string

	PublicURL      string
	AutoReply      string
	AutoReplyEvery time.Duration
	HelpReply      string
	PollEvery      time.Duration
	TZ             *time.Location
	MisfireGrace   time.Duration

	SlackBotToken      string
	SlackAppToken      string
	SlackSigningSecret string
	SlackAPIURL        string
	SlackStaffChannel  string

	DiscordBotToken     string
	DiscordAppID        string
	DiscordPublicKey    string
	DiscordGuildID      string
	DiscordStaffChannel string
	DiscordAPIURL       string
}

// chat reports whether a chat platform is configured.
func (c Config) chat() bool { return c.SlackBotToken != "" || c.DiscordBotToken != "" }

var errHelp = errors.New("help requested")

// defaultAutoReply answers incoming texts unless SMSBOT_AUTO_REPLY says otherwise.
const defaultAutoReply = "Thanks! The event team got your message and will answer soon."

// commands lists smsbot's subcommands for -h.
const commands = `Usage: smsbot [command] [flags]

Commands:
  serve     the chat adapters that are configured, the HTTP server and the
            engine (the default when a chat platform is configured)
  console   a terminal chat taking /sms commands (the default otherwise)
  import    -list NAME FILE: import contacts from a CSV file and print the
            report (exit status 1 when the file is refused)
  version   print the version and exit
  help      print this text and exit (also -h)

Flags (each also read from the environment variable in brackets):
`

// ParseFlags reads the command and flags from args, with defaults from
// getenv. Secrets (tokens, signing secrets) are read from getenv only
// after parsing, so that the usage text never shows them.
func (m *Main) ParseFlags(args []string, getenv func(string) string) error {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		m.Command, args = args[0], args[1:]
	}
	if m.Command == "version" {
		return nil // no setting needed, none checked
	}
	fs := flag.NewFlagSet("smsbot", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	// usage goes to stdout when asked for (-h, help), to stderr after a
	// wrong flag.
	usage := func(w io.Writer) {
		fmt.Fprint(w, commands)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(m.Stderr)
	}
	fs.Usage = func() {}
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	c := &m.Config
	secrets := &secretFlags{fs: fs}
	fs.StringVar(&c.DB, "db", env("SMSBOT_DB", "./smsbot.db"), "SQLite database file, or a postgres:// DSN [SMSBOT_DB]")
	fs.Lookup("db").DefValue = store.RedactDSN(c.DB) // -h never shows a DSN's password
	fs.StringVar(&c.TwilioSID, "twilio-account-sid", env("TWILIO_ACCOUNT_SID", ""), "Twilio account SID; unset: simulated carrier [TWILIO_ACCOUNT_SID]")
	secrets.add(&c.TwilioToken, "twilio-auth-token", "TWILIO_AUTH_TOKEN", "Twilio auth token [TWILIO_AUTH_TOKEN]")
	fs.StringVar(&c.TwilioAPIURL, "twilio-api-url", env("TWILIO_API_URL", ""), "base URL replacing https://api.twilio.com, for a fake or mock [TWILIO_API_URL]")
	mps := fs.String("default-mps", env("SMSBOT_DEFAULT_MPS", "1"), "rate of a number added without one, segments/second [SMSBOT_DEFAULT_MPS]")
	price := fs.String("price-per-segment", env("SMSBOT_PRICE_PER_SEGMENT", "0.0083"), "USD per segment for cost estimates; 0 hides them [SMSBOT_PRICE_PER_SEGMENT]")
	fs.StringVar(&c.Region, "region", env("SMSBOT_REGION", "US"), "region for numbers written without a country code [SMSBOT_REGION]")
	admins := fs.String("admins", env("SMSBOT_ADMINS", ""), "comma-separated user IDs allowed to change data and send; empty: everyone [SMSBOT_ADMINS]")
	approvers := fs.String("approvers", env("SMSBOT_APPROVERS", ""), "comma-separated user IDs who approve sends (two-person rule); empty: requester confirms [SMSBOT_APPROVERS]")
	maxImport := fs.String("max-import-bytes", env("SMSBOT_MAX_IMPORT_BYTES", strconv.Itoa(bot.DefaultMaxImportBytes)), "largest CSV file an import takes, in bytes (upload, link, attachment or local file) [SMSBOT_MAX_IMPORT_BYTES]")
	concurrency := fs.String("twilio-concurrency", env("SMSBOT_TWILIO_CONCURRENCY", "100"), "most calls to Twilio in flight at once, for the whole account (its concurrent-request limit); fewer after 20429s, for a while [SMSBOT_TWILIO_CONCURRENCY]")
	twTimeout := fs.String("twilio-timeout", env("SMSBOT_TWILIO_TIMEOUT", "30s"), "deadline of a whole call to Twilio; a create cut off is looked up before any resend [SMSBOT_TWILIO_TIMEOUT]")
	twHeader := fs.String("twilio-header-timeout", env("SMSBOT_TWILIO_HEADER_TIMEOUT", "15s"), "longest wait for Twilio's answer once a request is written; after it a create is looked up before any resend [SMSBOT_TWILIO_HEADER_TIMEOUT]")
	twDial := fs.String("twilio-dial-timeout", env("SMSBOT_TWILIO_DIAL_TIMEOUT", "5s"), "deadline to open a connection to Twilio [SMSBOT_TWILIO_DIAL_TIMEOUT]")
	twTLS := fs.String("twilio-tls-timeout", env("SMSBOT_TWILIO_TLS_TIMEOUT", "5s"), "deadline of the TLS handshake with Twilio [SMSBOT_TWILIO_TLS_TIMEOUT]")
	attempts := fs.String("max-attempts", env("SMSBOT_MAX_ATTEMPTS", "10"), "provider calls per text before it is failed [SMSBOT_MAX_ATTEMPTS]")
	level := fs.String("log-level", env("SMSBOT_LOG_LEVEL", "info"), "debug, info, warn or error [SMSBOT_LOG_LEVEL]")
	checkSim := c.simFlags(fs, env)
	simLatency := fs.String("sim-latency", env("SMSBOT_SIM_LATENCY", "0"), "time each simulated send takes: 150ms, or 150ms/400ms for a median and a 99th percentile (long tail); 0 for none [SMSBOT_SIM_LATENCY]")
	checkHTTP := c.httpFlags(fs, env, secrets)
	secrets.add(&c.SlackBotToken, "slack-bot-token", "SLACK_BOT_TOKEN", "Slack bot token xoxb-…; set: Slack is on [SLACK_BOT_TOKEN]")
	secrets.add(&c.SlackAppToken, "slack-app-token", "SLACK_APP_TOKEN", "Slack app-level token xapp-…; set: Socket Mode, no public URL needed [SLACK_APP_TOKEN]")
	secrets.add(&c.SlackSigningSecret, "slack-signing-secret", "SLACK_SIGNING_SECRET", "verifies Slack's HTTP requests in HTTP mode [SLACK_SIGNING_SECRET]")
	fs.StringVar(&c.SlackAPIURL, "slack-api-url", env("SLACK_API_URL", ""), "replaces https://slack.com/api/, for a fake [SLACK_API_URL]")
	fs.StringVar(&c.SlackStaffChannel, "slack-staff-channel", env("SLACK_STAFF_CHANNEL", ""), "channel ID: the only one taking commands; incoming texts are relayed there, one thread per contact [SLACK_STAFF_CHANNEL]")
	fs.StringVar(&c.PublicURL, "public-url", env("SMSBOT_PUBLIC_URL", ""), "URL where Twilio reaches smsbot serve's webhooks; unset: poll Twilio instead [SMSBOT_PUBLIC_URL]")
	fs.StringVar(&c.AutoReply, "auto-reply", env("SMSBOT_AUTO_REPLY", defaultAutoReply), "automatic answer to an incoming text, at most once per contact per -auto-reply-every; \"off\" for none [SMSBOT_AUTO_REPLY]")
	every := fs.String("auto-reply-every", env("SMSBOT_AUTO_REPLY_EVERY", "12h"), "least time between two auto-replies to one contact [SMSBOT_AUTO_REPLY_EVERY]")
	fs.StringVar(&c.HelpReply, "help-reply", env("SMSBOT_HELP_REPLY", inbound.DefaultHelpReply), "answer to HELP and INFO [SMSBOT_HELP_REPLY]")
	poll := fs.String("poll-every", env("SMSBOT_POLL_EVERY", "5s"), "how often to poll Twilio without a public URL [SMSBOT_POLL_EVERY]")
	secrets.add(&c.DiscordBotToken, "discord-bot-token", "DISCORD_BOT_TOKEN", "Discord bot token; set: Discord is on [DISCORD_BOT_TOKEN]")
	fs.StringVar(&c.DiscordAppID, "discord-app-id", env("DISCORD_APP_ID", ""), "Discord application ID [DISCORD_APP_ID]")
	fs.StringVar(&c.DiscordPublicKey, "discord-public-key", env("DISCORD_PUBLIC_KEY", ""), "Discord application public key, hex; set: serve POST /discord/interactions [DISCORD_PUBLIC_KEY]")
	fs.StringVar(&c.DiscordGuildID, "discord-guild-id", env("DISCORD_GUILD_ID", ""), "server to register /sms on (at once); empty: global [DISCORD_GUILD_ID]")
	fs.StringVar(&c.DiscordStaffChannel, "discord-staff-channel", env("DISCORD_STAFF_CHANNEL", ""), "channel ID: the only one taking commands; incoming texts are relayed there, one thread per contact [DISCORD_STAFF_CHANNEL]")
	fs.StringVar(&c.DiscordAPIURL, "discord-api-url", env("DISCORD_API_URL", ""), "replaces https://discord.com, for a fake [DISCORD_API_URL]")
	fs.StringVar(&m.List, "list", "", "list to import into (smsbot import)")
	tz := fs.String("tz", env("SMSBOT_TZ", ""), "time zone schedules are read in, like Europe/Berlin; empty: this machine's [SMSBOT_TZ]")
	grace := fs.String("misfire-grace", env("SMSBOT_MISFIRE_GRACE", "10m"), "how late a scheduled send may still go after downtime [SMSBOT_MISFIRE_GRACE]")
	if m.Command == "help" {
		usage(m.Stdout)
		return errHelp
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(m.Stdout)
			return errHelp
		}
		usage(m.Stderr)
		return err
	}
	secrets.fill(getenv)
	if fs.NArg() > 0 {
		m.Args = fs.Args()
	}
	var err error
	if c.Region, err = checkRegion(c.Region); err != nil {
		return err
	}
	if err := c.checkAPIURLs(); err != nil {
		return err
	}
	if c.DefaultMPS, err = strconv.ParseFloat(*mps, 64); err != nil || c.DefaultMPS <= 0 {
		return fmt.Errorf("SMSBOT_DEFAULT_MPS / -default-mps: %q is not a positive number of segments per second", *mps)
	}
	if c.PricePerSegment, err = strconv.ParseFloat(*price, 64); err != nil || c.PricePerSegment < 0 {
		return fmt.Errorf("SMSBOT_PRICE_PER_SEGMENT / -price-per-segment: %q is not a price in USD like 0.0083", *price)
	}
	if c.MaxImportBytes, err = strconv.ParseInt(*maxImport, 10, 64); err != nil || c.MaxImportBytes < 1 {
		return fmt.Errorf("SMSBOT_MAX_IMPORT_BYTES / -max-import-bytes: %q is not a positive number of bytes, like 20971520 (20 MiB)", *maxImport)
	}
	if c.Concurrency, err = strconv.Atoi(*concurrency); err != nil || c.Concurrency < 1 || c.Concurrency > 10_000 {
		return fmt.Errorf("SMSBOT_TWILIO_CONCURRENCY / -twilio-concurrency: %q is not a whole number from 1 to 10000, like 100", *concurrency)
	}
	for _, d := range []struct {
		name, flag, raw string
		to              *time.Duration
	}{
		{"SMSBOT_TWILIO_TIMEOUT", "-twilio-timeout", *twTimeout, &c.TwilioTimeout},
		{"SMSBOT_TWILIO_HEADER_TIMEOUT", "-twilio-header-timeout", *twHeader, &c.TwilioHeaderTimeout},
		{"SMSBOT_TWILIO_DIAL_TIMEOUT", "-twilio-dial-timeout", *twDial, &c.TwilioDialTimeout},
		{"SMSBOT_TWILIO_TLS_TIMEOUT", "-twilio-tls-timeout", *twTLS, &c.TwilioTLSTimeout},
	} {
		if *d.to, err = parseDuration(d.name, d.flag, d.raw, time.Nanosecond, "15s"); err != nil {
			return err
		}
	}
	if c.MaxAttempts, err = strconv.Atoi(*attempts); err != nil || c.MaxAttempts < 1 {
		return fmt.Errorf("SMSBOT_MAX_ATTEMPTS / -max-attempts: %q is not a whole number of at least 1", *attempts)
	}
	if err := c.LogLevel.UnmarshalText([]byte(*level)); err != nil {
		return fmt.Errorf("SMSBOT_LOG_LEVEL / -log-level: %q is not debug, info, warn or error", *level)
	}
	if c.SimLatency, err = latency.Parse(*simLatency); err != nil {
		return fmt.Errorf("SMSBOT_SIM_LATENCY / -sim-latency: %w", err)
	}
	if err := checkSim(); err != nil {
		return err
	}
	if c.AutoReplyEvery, err = parseDuration("SMSBOT_AUTO_REPLY_EVERY", "-auto-reply-every", *every, time.Nanosecond, "12h"); err != nil {
		return err
	}
	if c.PollEvery, err = parseDuration("SMSBOT_POLL_EVERY", "-poll-every", *poll, time.Second, "5s"); err != nil {
		return err
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("SMSBOT_PUBLIC_URL / -public-url: %q is not a URL like https://sms.example.org", c.PublicURL)
		}
	}
	if err := checkHTTP(); err != nil {
		return err
	}
	if c.TZ, err = time.LoadLocation(*tz); err != nil {
		return fmt.Errorf("SMSBOT_TZ / -tz: %q is not a time zone; use a name like Europe/Berlin or America/Los_Angeles", *tz)
	}
	if *tz == "" {
		c.TZ = localZone(getenv("TZ"), etcLocaltime) // named, not "Local"
	}
	if c.MisfireGrace, err = parseDuration("SMSBOT_MISFIRE_GRACE", "-misfire-grace", *grace, 0, "10m"); err != nil {
		return err
	}
	if strings.EqualFold(c.AutoReply, "off") {
		c.AutoReply = ""
	}
	c.Admins, c.Approvers = splitList(*admins), splitList(*approvers)
	if (c.TwilioSID == "") != (c.TwilioToken == "") {
		return errors.New("set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or neither for the simulated carrier")
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
