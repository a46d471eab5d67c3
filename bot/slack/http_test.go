package slack_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot"
	"smsbot/bot/bottest"
	botslack "smsbot/bot/slack"
	"smsbot/broadcast"
	"smsbot/broadcast/sim"
	"smsbot/store"
)

const (
	secret  = "test-signing-secret"
	staffID = "C0STAFF"
)

// httpChat is the Slack adapter in HTTP mode behind a real HTTP server,
// driven with signed requests as Slack would send them.
type httpChat struct {
	fake    *slackFake
	server  *httptest.Server
	clock   *clockwork.FakeClock
	sim     *sim.Provider
	store   *store.Store
	engine  *broadcast.Engine
	router  *bot.Router
	adapter *botslack.Adapter
	logs    *logSink
	cursor  int
	n       int
}

func newHTTPChat(t *testing.T, s bottest.Setup) *httpChat {
	return newHTTPChatOpts(t, s, chatOptions{})
}

// newHTTPChatWith is newHTTPChat with the router on routerClock, so that
// only the adapter waits on the chat's clock (nil: the router is on the
// chat's clock too).
func newHTTPChatWith(t *testing.T, s bottest.Setup, routerClock clockwork.Clock) *httpChat {
	return newHTTPChatOpts(t, s, chatOptions{routerClock: routerClock})
}

// chatOptions change what newHTTPChatOpts builds.
type chatOptions struct {
	routerClock clockwork.Clock        // nil: the chat's clock
	logs        *logSink               // the adapter's and router's logs; nil: t.Log
	config      func(*botslack.Config) // changes to the adapter's config
}

func newHTTPChatOpts(t *testing.T, s bottest.Setup, o chatOptions) *httpChat {
	t.Helper()
	// The adapter checks request timestamps and waits out rate limits on
	// this clock, and the router times upload windows on it; the test
	// signs with it too, and the fake times its rate limits with it.
	clock := clockwork.NewFakeClockAt(time.Unix(1764300000, 0))
	routerClock := o.routerClock
	if routerClock == nil {
		routerClock = clock
	}
	if o.logs == nil {
		o.logs = newLogSink(t)
	}
	fake := newSlackFake(t, clock)
	c := bottest.NewCore(t, s, func(cfg *bot.Config) {
		cfg.Clock = routerClock
		cfg.Logger = o.logs.logger()
	})
	cfg := botslack.Config{Router: c.Router, BotToken: "xoxb-test", SigningSecret: secret,
		APIURL: fake.apiURL(), FilesURL: fake.filesURL(), StaffChannel: staffID, Clock: clock, Logger: o.logs.logger()}
	if o.config != nil {
		o.config(&cfg)
	}
	a, err := botslack.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.SetStaff(a.Staff()) // texts from contacts are relayed to the staff channel
	mux := http.NewServeMux()
	a.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return &httpChat{fake: fake, server: srv, clock: clock, sim: c.Sim, store: c.Store, engine: c.Engine, router: c.Router, adapter: a, logs: o.logs}
}

// post sends a signed form to path and returns the status.
func (c *httpChat) post(t *testing.T, path, body string, sign func(ts string, body []byte) string) int {
	t.Helper()
	ts := strconv.FormatInt(c.clock.Now().Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, c.server.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sign(ts, []byte(body)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// raw posts a signed body and returns the answer's body.
func (c *httpChat) raw(t *testing.T, path, body string, sign func(string, []byte) string) string {
	t.Helper()
	ts := strconv.FormatInt(c.clock.Now().Unix(), 10)
	req, _ := http.NewRequest(http.MethodPost, c.server.URL+path, strings.NewReader(body))
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sign(ts, []byte(body)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func signed(ts string, body []byte) string { return botslack.Sign(secret, ts, body) }

func (c *httpChat) commandForm(t testing.TB, user, channel, text string) string {
	t.Helper()
	form, err := url.ParseQuery(strings.TrimSpace(string(fixture(t, "slash_command.txt"))))
	if err != nil {
		t.Fatal(err)
	}
	c.n++
	form.Set("user_id", user)
	form.Set("user_name", user)
	form.Set("channel_id", channel)
	form.Set("text", text)
	form.Set("response_url", c.fake.responseURLFor(strconv.Itoa(c.n)))
	return form.Encode()
}

// humanPause is how long a person takes to type a command or press a
// button: Type and Press move the clock on by it, which refills Slack's
// rate limits (a message a second per channel) as they would be between
// people's inputs.
const humanPause = time.Second

func (c *httpChat) Type(t *testing.T, user, text string) {
	t.Helper()
	c.clock.Advance(humanPause)
	c.cursor = c.fake.count()
	if code := c.post(t, "/slack/commands", c.commandForm(t, user, staffID, text), signed); code != http.StatusOK {
		t.Fatalf("/slack/commands answered %d", code)
	}
}

func (c *httpChat) clickForm(t *testing.T, user, ts, channel, action string) string {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal(fixture(t, "block_actions.json"), &p); err != nil {
		t.Fatal(err)
	}
	c.n++
	p["user"].(map[string]any)["id"] = user
	p["channel"].(map[string]any)["id"] = channel
	p["container"].(map[string]any)["message_ts"] = ts
	p["container"].(map[string]any)["channel_id"] = channel
	p["message"].(map[string]any)["ts"] = ts
	p["response_url"] = c.fake.responseURLFor(strconv.Itoa(c.n))
	act := p["actions"].([]any)[0].(map[string]any)
	act["action_id"], act["value"] = action, action
	payload, _ := json.Marshal(p)
	return url.Values{"payload": {string(payload)}}.Encode()
}

func (c *httpChat) Button(t *testing.T, label string) bottest.Button {
	t.Helper()
	c.cursor = c.fake.count()
	ts, channel, action, ok := c.fake.newestButton(label)
	if !ok {
		t.Fatalf("no message shows a %q button", label)
	}
	return bottest.Button{Label: label, Channel: channel, Message: ts, Action: action}
}

func (c *httpChat) Press(t *testing.T, user string, b bottest.Button) {
	t.Helper()
	c.clock.Advance(humanPause)
	if code := c.post(t, "/slack/interactions", c.clickForm(t, user, b.Message, b.Channel, b.Action), signed); code != http.StatusOK {
		t.Fatalf("/slack/interactions answered %d to a press of %s", code, b.Label)
	}
}

// Click presses the newest button labelled label, as user.
func (c *httpChat) Click(t *testing.T, user, label string) { bottest.Click(t, c, user, label) }

func (c *httpChat) WaitFor(t *testing.T, s string) string {
	t.Helper()
	return c.fake.waitFor(t, c.cursor, s)
}

func (c *httpChat) Sent() []sim.Message { return c.sim.Sent() }

func TestSlackHTTPScenarios(t *testing.T) {
	bottest.Exercise(t, func(t *testing.T, s bottest.Setup) bottest.Chat { return newHTTPChat(t, s) })
}

// Refused requests get 401 and change nothing: not even an answer.
func TestSlackHTTPRefusesUnsignedRequests(t *testing.T) {
	c := newHTTPChat(t, bottest.Setup{Admins: []string{"U0ALICE"}})
	cmd := c.commandForm(t, "U0ALICE", staffID, "numbers add +12065550101 5")
	// Signed correctly, the same request is accepted: the refusals below
	// are for the signature alone.
	defer func() {
		if code := c.postAt(t, "/slack/commands", cmd, 0, signed); code != http.StatusOK {
			t.Errorf("a well-signed request answered %d", code)
		}
	}()
	tests := []struct {
		name string
		sign func(ts string, body []byte) string
		skew time.Duration
	}{
		{"bad signature", func(string, []byte) string { return "v0=deadbeef" }, 0},
		{"other secret", func(ts string, b []byte) string { return botslack.Sign("not-the-secret", ts, b) }, 0},
		{"stale timestamp", signed, -6 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code := c.postAt(t, "/slack/commands", cmd, tt.skew, tt.sign); code != http.StatusUnauthorized {
				t.Fatalf("answered %d, want 401", code)
			}
			if code := c.postAt(t, "/slack/interactions", c.clickForm(t, "U0ALICE", "1.1", staffID, "approve:1"), tt.skew, tt.sign); code != http.StatusUnauthorized {
				t.Fatalf("interaction answered %d, want 401", code)
			}
		})
	}
	senders, err := c.store.Senders(context.Background())
	if err != nil || len(senders) != 0 {
		t.Fatalf("a refused request changed the store: %v, %v", senders, err)
	}
	if n := c.fake.count(); n != 0 {
		t.Fatalf("Slack was sent %d messages after refused requests", n)
	}
}

// postAt sends a request whose timestamp is skew away from the server's now.
func (c *httpChat) postAt(t *testing.T, path, body string, skew time.Duration, sign func(string, []byte) string) int {
	t.Helper()
	ts := strconv.FormatInt(c.clock.Now().Add(skew).Unix(), 10)
	req, _ := http.NewRequest(http.MethodPost, c.server.URL+path, strings.NewReader(body))
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sign(ts, []byte(body)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
