package discord_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"smsbot/bot/bottest"
	"smsbot/bot/discord"
)

// RFC 8032 §7.1, test 2: a one-byte message, 0x72 ("r"). Sent as the
// timestamp with an empty body, it is what Discord's signature covers.
const (
	rfcPublicKey = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
	rfcSignature = "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
)

// The RFC's vector passes the handler's signature check: the empty body
// is then refused as malformed (400), not as unsigned (401).
func TestDiscordVerifiesRFC8032Vector(t *testing.T) {
	core := bottest.NewCore(t, bottest.Setup{}, nil)
	a, err := discord.New(discord.Config{Router: core.Router, Token: token, AppID: appID, PublicKey: rfcPublicKey,
		APIURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	mux := http.NewServeMux()
	a.Routes(mux)
	for _, tt := range []struct {
		name, sig, ts string
		want          int
	}{
		{"RFC vector", rfcSignature, "r", http.StatusBadRequest},
		{"other timestamp", rfcSignature, "s", http.StatusUnauthorized},
		{"flipped bit", "93" + rfcSignature[2:], "r", http.StatusUnauthorized},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/discord/interactions", strings.NewReader(""))
			req.Header.Set("X-Signature-Ed25519", tt.sig)
			req.Header.Set("X-Signature-Timestamp", tt.ts)
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("answered %d %q, want %d", rec.Code, rec.Body.String(), tt.want)
			}
		})
	}
}

func TestDiscordPingGetsPong(t *testing.T) {
	c := newChat(t, bottest.Setup{})
	var ping map[string]any
	if err := json.Unmarshal(fixture(t, "ping.json"), &ping); err != nil {
		t.Fatal(err)
	}
	code, body := c.deliver(t, ping)
	if code != http.StatusOK || body != `{"type":1}` {
		t.Fatalf("PING answered %d %s, want a PONG", code, body)
	}
}

// A request whose signature does not hold gets 401 and is not acted on:
// no answer, no change.
func TestDiscordRefusesUnsignedRequests(t *testing.T) {
	c := newChat(t, bottest.Setup{Admins: []string{"alice"}})
	from := c.fake.count()
	body, _ := json.Marshal(c.command(t, "alice", staffID, "numbers add +12065550101 5"))
	ts := strconv.FormatInt(c.clock.Now().Unix(), 10)
	changed := []byte(strings.Replace(string(body), "+12065550101", "+12065550666", 1))
	stale := strconv.FormatInt(c.clock.Now().Add(-6*time.Minute).Unix(), 10)
	for _, tt := range []struct {
		name, sig, ts string
		body          []byte
	}{
		{"changed body", c.sign(ts, body), ts, changed},
		{"no signature", "", ts, body},
		{"no timestamp", c.sign(ts, body), "", body},
		{"garbage signature", "not-hex-at-all", ts, body},
		{"short signature", hex.EncodeToString([]byte("too short")), ts, body},
		{"zero signature", strings.Repeat("00", 64), ts, body},
		{"stale", c.sign(stale, body), stale, body},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if code, answer := c.request(t, tt.body, tt.sig, tt.ts); code != http.StatusUnauthorized {
				t.Fatalf("answered %d %s, want 401", code, answer)
			}
		})
	}
	c.adapter.Close() // nothing may be running; if something were, let it finish
	if senders, err := c.core.Store.Senders(context.Background()); err != nil || len(senders) != 0 {
		t.Fatalf("a refused request changed the store: %v, %v", senders, err)
	}
	if got, _ := c.fake.since(from); len(got) != 0 {
		t.Fatalf("Discord was called after refused requests: %+v", got)
	}
	// Signed, the same request is taken.
	if code, answer := c.request(t, body, c.sign(ts, body), ts); code != http.StatusOK {
		t.Fatalf("the signed request answered %d %s", code, answer)
	}
	c.fake.waitFor(t, from, "Added +12065550101")
}

// Unsupported interaction types are refused, not left hanging.
func TestDiscordRefusesUnknownInteractions(t *testing.T) {
	c := newChat(t, bottest.Setup{})
	modal := map[string]any{"id": "1311950000000000099", "application_id": appID, "type": 5, "token": "t",
		"data": map[string]any{"custom_id": "x", "components": []any{}}, "version": 1}
	if code, body := c.deliver(t, modal); code != http.StatusBadRequest {
		t.Fatalf("a modal submit answered %d %s, want 400", code, body)
	}
}

func TestDiscordNewNamesTheSettings(t *testing.T) {
	core := bottest.NewCore(t, bottest.Setup{}, nil)
	ok := discord.Config{Router: core.Router, Token: token, AppID: appID}
	for _, tt := range []struct {
		name string
		edit func(*discord.Config)
		want string
	}{
		{"no token", func(c *discord.Config) { c.Token = "" }, "DISCORD_BOT_TOKEN"},
		{"no app", func(c *discord.Config) { c.AppID = "" }, "DISCORD_APP_ID"},
		{"bad guild", func(c *discord.Config) { c.GuildID = "my-server" }, "DISCORD_GUILD_ID"},
		{"bad channel", func(c *discord.Config) { c.StaffChannel = "#staff" }, "DISCORD_STAFF_CHANNEL"},
		{"bad key", func(c *discord.Config) { c.PublicKey = "abc" }, "DISCORD_PUBLIC_KEY"},
		{"bad API URL", func(c *discord.Config) { c.APIURL = "localhost:8088" }, "DISCORD_API_URL"},
		{"no router", func(c *discord.Config) { c.Router = nil }, "Router"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			tt.edit(&cfg)
			if _, err := discord.New(cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New = %v, want an error naming %s", err, tt.want)
			}
		})
	}
	if _, err := discord.New(ok); err != nil {
		t.Fatalf("gateway-only config: %v", err)
	}
}
