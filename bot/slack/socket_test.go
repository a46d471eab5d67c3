package slack_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot"
	"smsbot/bot/bottest"
	botslack "smsbot/bot/slack"
)

// envelope wraps a payload as Socket Mode delivers it.
func envelope(t *testing.T, id, typ string, payload any) string {
	t.Helper()
	raw, ok := payload.(json.RawMessage)
	if !ok {
		var err error
		if raw, err = json.Marshal(payload); err != nil {
			t.Fatal(err)
		}
	}
	b, err := json.Marshal(map[string]any{"envelope_id": id, "type": typ, "accepts_response_payload": true, "payload": raw})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// acked waits until the bot acknowledges envelope id over the socket.
func acked(t *testing.T, f *slackFake, id string) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case m := <-f.srv.SeenFeed:
			if strings.Contains(m, `"envelope_id":"`+id+`"`) {
				return
			}
		case <-timeout:
			t.Fatalf("envelope %s was never acknowledged", id)
		}
	}
}

// startSocket runs an adapter in Socket Mode against fake until the test
// ends.
func startSocket(t *testing.T, fake *slackFake, router *bot.Router) *botslack.Adapter {
	t.Helper()
	a, err := botslack.New(botslack.Config{Router: router, BotToken: "xoxb-test", AppToken: "xapp-test",
		APIURL: fake.apiURL(), FilesURL: fake.filesURL(), Logger: newLogSink(t).logger()})
	if err != nil {
		t.Fatal(err)
	}
	if !a.SocketMode() {
		t.Fatal("an app token must select Socket Mode")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		a.Close()
	})
	return a
}

func TestSlackSocketMode(t *testing.T) {
	fake := newSlackFake(t, clockwork.NewRealClock())
	c := bottest.NewCore(t, bottest.Setup{Admins: []string{"U0ALICE"}}, nil)
	startSocket(t, fake, c.Router)

	command := func(id, text string) {
		t.Helper()
		from := fake.count()
		fake.srv.SendToWebsocket(envelope(t, id, "slash_commands", map[string]any{
			"command": "/sms", "text": text, "user_id": "U0ALICE", "channel_id": staffID,
			"response_url": fake.responseURLFor(id), "team_id": "T0EVENT",
		}))
		acked(t, fake, id)
		fake.waitFor(t, from, "") // the answer came
	}
	command("env-1", "numbers add +12065550101 50")
	command("env-2", "add crew +12065550001 Ada")
	command("env-3", "add crew +12065550002 Grace")
	from := fake.count()
	fake.srv.SendToWebsocket(envelope(t, "env-4", "slash_commands", map[string]any{
		"command": "/sms", "text": "send crew Dinner is served", "user_id": "U0ALICE", "channel_id": staffID,
		"response_url": fake.responseURLFor("env-4"),
	}))
	acked(t, fake, "env-4")
	preview := fake.waitFor(t, from, "waiting for approval")
	if !strings.Contains(preview, "Dinner is served") {
		t.Fatalf("preview:\n%s", preview)
	}
	ts, channel, action, ok := fake.newestButton("Approve")
	if !ok || action != "approve:1" || channel != staffID {
		t.Fatalf("preview buttons: ts=%q channel=%q action=%q", ts, channel, action)
	}

	payload := strings.NewReplacer("1764300000.000100", ts).Replace(string(fixture(t, "block_actions.json")))
	from = fake.count()
	fake.srv.SendToWebsocket(envelope(t, "env-5", "interactive", json.RawMessage(payload)))
	acked(t, fake, "env-5")
	summary := fake.waitFor(t, from, "finished")
	if !strings.Contains(summary, "Sent 2") {
		t.Fatalf("summary:\n%s", summary)
	}
	if n := len(c.Sim.Sent()); n != 2 {
		t.Fatalf("%d texts sent, want 2", n)
	}
}
