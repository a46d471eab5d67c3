package discord_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"smsbot/bot/bottest"
	"smsbot/bot/discord"
)

// newGateway returns a chat (for its fake, core and payloads) and a second
// adapter on the same bot that takes gateway events only.
func newGateway(t *testing.T, s bottest.Setup) (*chat, *discord.Adapter) {
	t.Helper()
	c := newChat(t, s)
	a, err := discord.New(discord.Config{Router: c.core.Router, Token: token, AppID: appID, StaffChannel: staffID,
		Lists: c.core.Store.Lists, APIURL: c.fake.url(), Clock: c.clock, Logger: c.logs.logger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return c, a
}

// event is an interaction as the gateway delivers it.
func event(t *testing.T, ix map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(ix)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// callback returns the interaction callback recorded for interaction id.
func callback(t *testing.T, c *chat, id any) map[string]any {
	t.Helper()
	got, _ := c.fake.since(0)
	for _, s := range got {
		if s.kind == "callback" && s.id == id {
			return s.callback
		}
	}
	t.Fatalf("no callback for interaction %v", id)
	return nil
}

func TestDiscordGatewayInteractions(t *testing.T) {
	c, a := newGateway(t, bottest.Setup{Admins: []string{"alice", "bob"}})
	run := func(user, text, want string) shown {
		t.Helper()
		c.clock.Advance(humanPause)
		from := c.fake.count()
		ix := c.command(t, user, staffID, text)
		a.GatewayInteraction(event(t, ix))
		cb := callback(t, c, ix["id"])
		if cb["type"] != float64(5) || cb["data"].(map[string]any)["flags"] != float64(64) {
			t.Fatalf("/sms %s: callback %v, want a deferred ephemeral response", text, cb)
		}
		return c.fake.waitFor(t, from, want, "post", "edit", "original", "followup")
	}
	if s := run("alice", "numbers add +12065550101 50", "Added +12065550101"); s.kind != "post" || s.channel != staffID {
		t.Fatalf("a non-ephemeral answer is a channel message; got %s in %s", s.kind, s.channel)
	}
	c.fake.waitFor(t, 0, "", "delete") // the unused deferred response is removed
	run("alice", "add crew +12065550001 Ada", "to crew")
	run("alice", "add crew +12065550002 Grace", "to crew")
	run("alice", "add staff +12065550003 Hedy", "to staff")
	if s := run("mallory", "send crew Hi", "only smsbot admins"); s.kind != "original" {
		t.Fatalf("an error fills the deferred response; got %s", s.kind)
	}

	// Autocomplete suggests the stored lists matching what is typed.
	for typed, want := range map[string][]string{"cr": {"crew"}, "": {"crew", "staff"}, "zz": {}} {
		ix := c.payload(t, "autocomplete.json", "alice")
		ix["data"].(map[string]any)["options"].([]any)[0].(map[string]any)["options"].([]any)[0].(map[string]any)["value"] = typed
		a.GatewayInteraction(event(t, ix))
		cb := callback(t, c, ix["id"])
		choices, ok := cb["data"].(map[string]any)["choices"].([]any)
		if cb["type"] != float64(8) || !ok {
			t.Fatalf("autocomplete %q: callback %v", typed, cb)
		}
		var values []string
		for _, ch := range choices {
			values = append(values, ch.(map[string]any)["value"].(string))
		}
		if !slices.Equal(values, want) {
			t.Fatalf("autocomplete %q suggested %v, want %v (%v)", typed, values, want, choices)
		}
	}

	preview := run("alice", "send crew Dinner is served", "waiting for approval")
	if preview.buttons["Approve"] != "approve:1" || preview.styles["Approve"] != 1 || preview.styles["Cancel"] != 4 {
		t.Fatalf("preview buttons %v, styles %v", preview.buttons, preview.styles)
	}
	from := c.fake.count()
	ix := c.click(t, "alice", preview.channel, preview.id, "approve:1")
	a.GatewayInteraction(event(t, ix))
	if cb := callback(t, c, ix["id"]); cb["type"] != float64(6) {
		t.Fatalf("click callback %v, want a deferred update", cb)
	}
	if done := c.fake.waitFor(t, from, "finished", "edit"); done.id != preview.id {
		t.Fatalf("the summary edited message %s, not the preview %s", done.id, preview.id)
	}
	from = c.fake.count()
	a.GatewayInteraction(event(t, c.click(t, "bob", preview.channel, preview.id, "approve:1")))
	if s := c.fake.waitFor(t, from, "has already finished"); s.kind != "followup" || !s.ephemeral {
		t.Fatalf("a late click's answer is %s (ephemeral %v), want an ephemeral follow-up", s.kind, s.ephemeral)
	}
	if n := len(c.Sent()); n != 2 {
		t.Fatalf("%d texts sent, want 2", n)
	}
}

// In a direct message the user is the interaction's user, not a member.
func TestDiscordDirectMessageUser(t *testing.T) {
	c, a := newGateway(t, bottest.Setup{Admins: []string{"alice"}})
	for _, tt := range []struct{ user, want string }{{"mallory", "only smsbot admins"}, {"alice", "Added"}} {
		ix := c.command(t, tt.user, staffID, "numbers add +12065550101")
		delete(ix, "member")
		delete(ix, "guild_id")
		ix["user"] = map[string]any{"id": tt.user, "username": tt.user, "discriminator": "0"}
		from := c.fake.count()
		a.GatewayInteraction(event(t, ix))
		c.fake.waitFor(t, from, tt.want)
	}
}

// With a staff channel, commands from other channels are refused and
// change nothing, as in Slack.
func TestDiscordRefusesCommandsOutsideStaffChannel(t *testing.T) {
	c, a := newGateway(t, bottest.Setup{Admins: []string{"alice"}})
	ix := c.command(t, "alice", "1311000000000000777", "numbers add +12065550101")
	from := c.fake.count()
	a.GatewayInteraction(event(t, ix))
	c.fake.waitFor(t, from, "takes commands only in")
	a.Close()
	if senders, err := c.core.Store.Senders(context.Background()); err != nil || len(senders) != 0 {
		t.Fatalf("a command from another channel changed the store: %v, %v", senders, err)
	}
}

func TestDiscordRegistersCommands(t *testing.T) {
	c, a := newGateway(t, bottest.Setup{})
	// newChat registered on its guild: available at once.
	if c.fake.registered(guildID) == nil || c.fake.registered("global") != nil {
		t.Fatalf("registered: %v", c.fake.commands)
	}
	sms := c.fake.registered(guildID)[0]
	if sms["name"] != "sms" || len(c.fake.registered(guildID)) != 1 {
		t.Fatalf("registered %v", c.fake.registered(guildID))
	}
	var names []string
	lists := 0
	for _, o := range sms["options"].([]any) {
		o := o.(map[string]any)
		names = append(names, o["name"].(string))
		leaves := []any{o}
		if o["type"] == float64(2) {
			leaves = o["options"].([]any)
		}
		for _, l := range leaves {
			params, _ := l.(map[string]any)["options"].([]any)
			for _, p := range params {
				p := p.(map[string]any)
				if p["name"] == "list" {
					lists++
					if p["autocomplete"] != true || p["type"] != float64(3) {
						t.Errorf("%s's list option is %v", o["name"], p)
					}
				}
				if p["name"] == "attachment" && p["type"] != float64(11) {
					t.Errorf("import's attachment option is %v", p)
				}
			}
		}
	}
	for _, want := range []string{"help", "numbers", "lists", "add", "remove", "import", "send", "schedule", "schedules",
		"unschedule", "status", "stats", "export", "pause", "resume", "cancel", "reply", "sim"} {
		if !slices.Contains(names, want) {
			t.Errorf("/sms lacks %s: %v", want, names)
		}
	}
	if lists != 10 {
		t.Errorf("%d list options, want 10 (add, remove, import, send, schedule, poll, list, lists rename and delete, undo-import)", lists)
	}
	numbers := find(sms["options"], "numbers")
	if numbers["type"] != float64(2) || find(numbers["options"], "add") == nil || find(find(sms["options"], "sim")["options"], "reply") == nil {
		t.Errorf("numbers and sim are not groups: %v", numbers)
	}

	// Without a guild, /sms is global.
	if err := a.Register(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c.fake.registered("global") == nil {
		t.Fatal("no global registration")
	}
}

// Run registers /sms before it connects, and says what failed when the
// gateway cannot be reached.
func TestDiscordRunReportsGatewayFailure(t *testing.T) {
	c := newChat(t, bottest.Setup{})
	a, err := discord.New(discord.Config{Router: c.core.Router, Token: token, AppID: appID, APIURL: c.fake.url()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	c.fake.mu.Lock()
	c.fake.allowUnexpected = true // the fake serves no /gateway
	c.fake.mu.Unlock()
	err = a.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "discord gateway") {
		t.Fatalf("Run = %v", err)
	}
	if c.fake.registered("global") == nil {
		t.Fatal("Run did not register /sms")
	}
}
