package discord_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot"
	"smsbot/bot/bottest"
	"smsbot/bot/discord"
	"smsbot/broadcast/sim"
)

// chat is the Discord adapter serving HTTP interactions behind a real
// HTTP server, driven with requests signed as Discord signs them, its REST
// calls going to a fake Discord.
type chat struct {
	fake    *discordFake
	server  *httptest.Server
	clock   *clockwork.FakeClock
	key     ed25519.PrivateKey
	core    *bottest.Core
	adapter *discord.Adapter
	sms     map[string]any // /sms as registered
	logs    tlog           // the adapter's and the router's
	cursor  int
	n       int
}

// tlog sends the adapter's log to the test's, and keeps it for tests that
// read it (tokens must never appear).
type tlog struct {
	t   *testing.T
	mu  *sync.Mutex
	buf *bytes.Buffer
}

func newTlog(t *testing.T) tlog { return tlog{t: t, mu: &sync.Mutex{}, buf: &bytes.Buffer{}} }

func (l tlog) Write(p []byte) (int, error) {
	l.t.Helper()
	l.t.Log(strings.TrimSpace(string(p)))
	if l.mu != nil {
		l.mu.Lock()
		l.buf.Write(p)
		l.mu.Unlock()
	}
	return len(p), nil
}

// String is everything logged so far.
func (l tlog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// logger logs at debug level to l.
func (l tlog) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func newChat(t *testing.T, s bottest.Setup) *chat {
	t.Helper()
	// The adapter judges request ages and waits for rate limits on this
	// clock, the fake times its limits with it, and the test signs with it.
	clock := clockwork.NewFakeClockAt(time.Unix(1764300000, 0))
	fake := newDiscordFake(t, clock)
	logs := newTlog(t)
	core := bottest.NewCore(t, s, func(cfg *bot.Config) { cfg.Logger = logs.logger() })
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := discord.New(discord.Config{Router: core.Router, Token: token, AppID: appID, GuildID: guildID,
		PublicKey: hex.EncodeToString(pub), StaffChannel: staffID, Lists: core.Store.Lists,
		APIURL: fake.url(), Clock: clock, Logger: logs.logger()})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Register(context.Background()); err != nil {
		t.Fatal(err)
	}
	core.SetStaff(a.Staff()) // texts from contacts are relayed to the staff channel
	core.ChatClock = clock   // and move the adapter's clock on as they come
	mux := http.NewServeMux()
	a.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	c := &chat{fake: fake, server: srv, clock: clock, key: priv, core: core, adapter: a, logs: logs}
	c.sms = fake.registered(guildID)[0]
	return c
}

// sign signs a body as Discord does: ed25519 over timestamp + body.
func (c *chat) sign(ts string, body []byte) string {
	return hex.EncodeToString(ed25519.Sign(c.key, append([]byte(ts), body...)))
}

// request posts body to /discord/interactions with the given signature
// headers and returns the status and the answer.
func (c *chat) request(t *testing.T, body []byte, sig, ts string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.server.URL+"/discord/interactions", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set("X-Signature-Ed25519", sig)
	}
	if ts != "" {
		req.Header.Set("X-Signature-Timestamp", ts)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// deliver sends a signed interaction and returns the status and answer.
func (c *chat) deliver(t *testing.T, ix map[string]any) (int, string) {
	t.Helper()
	body, err := json.Marshal(ix)
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(c.clock.Now().Unix(), 10)
	return c.request(t, body, c.sign(ts, body), ts)
}

// payload reads a recorded interaction from testdata and gives it a fresh
// ID and token, and user as its member.
func (c *chat) payload(t *testing.T, file, user string) map[string]any {
	t.Helper()
	var ix map[string]any
	if err := json.Unmarshal(fixture(t, file), &ix); err != nil {
		t.Fatal(err)
	}
	c.n++
	ix["id"] = fmt.Sprintf("13119500000000%05d", c.n)
	ix["token"] = fmt.Sprintf("interaction-token-%d", c.n)
	if m, ok := ix["member"].(map[string]any); ok {
		u := m["user"].(map[string]any)
		u["id"], u["username"] = user, user
	}
	return ix
}

// command is /sms with text typed as options, as Discord's client sends
// it; options holds them as the registered /sms defines them.
func (c *chat) command(t *testing.T, user, channel, text string) map[string]any {
	t.Helper()
	ix := c.payload(t, "application_command.json", user)
	ix["channel_id"] = channel
	ix["data"].(map[string]any)["options"] = options(c.sms, text)
	return ix
}

// humanPause is how long a person takes to type a command or press a
// button: Type and Press move the clock on by it, which refills Discord's
// per-channel limits (5 messages per 5 s) as they would be between
// people's inputs.
const humanPause = time.Second

func (c *chat) Type(t *testing.T, user, text string) {
	t.Helper()
	c.clock.Advance(humanPause)
	c.cursor = c.fake.count()
	code, body := c.deliver(t, c.command(t, user, staffID, text))
	if typ, flags := answer(t, body); code != http.StatusOK || typ != 5 || flags != 64 {
		t.Fatalf("/sms %s answered %d %s, want a deferred ephemeral response", text, code, body)
	}
}

// click is a press on the button with action on message id in channel.
func (c *chat) click(t *testing.T, user, channel, id, action string) map[string]any {
	t.Helper()
	ix := c.payload(t, "button_click.json", user)
	ix["channel_id"] = channel
	ix["data"].(map[string]any)["custom_id"] = action
	msg := ix["message"].(map[string]any)
	msg["id"], msg["channel_id"] = id, channel
	return ix
}

func (c *chat) Button(t *testing.T, label string) bottest.Button {
	t.Helper()
	c.cursor = c.fake.count()
	channel, id, action, ok := c.fake.newestButton(label)
	if !ok {
		t.Fatalf("no message shows a %q button", label)
	}
	return bottest.Button{Label: label, Channel: channel, Message: id, Action: action}
}

func (c *chat) Press(t *testing.T, user string, b bottest.Button) {
	t.Helper()
	c.clock.Advance(humanPause)
	if code, body := c.deliver(t, c.click(t, user, b.Channel, b.Message, b.Action)); code != http.StatusOK || body != `{"type":6}` {
		t.Fatalf("click on %s answered %d %s, want a deferred update", b.Label, code, body)
	}
}

// Click presses the newest button labelled label, as user.
func (c *chat) Click(t *testing.T, user, label string) { bottest.Click(t, c, user, label) }

func (c *chat) WaitFor(t *testing.T, s string) string {
	t.Helper()
	return c.fake.waitFor(t, c.cursor, s, "post", "edit", "original", "followup").text
}

func (c *chat) Sent() []sim.Message { return c.core.Sim.Sent() }

func TestDiscordScenarios(t *testing.T) {
	bottest.Exercise(t, func(t *testing.T, s bottest.Setup) bottest.Chat { return newChat(t, s) })
}

// answer reads an interaction response's type and flags.
func answer(t *testing.T, body string) (typ, flags int) {
	t.Helper()
	var r struct {
		Type int `json:"type"`
		Data struct {
			Flags int `json:"flags"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("interaction response %q: %v", body, err)
	}
	return r.Type, r.Data.Flags
}
