package slack_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot/bottest"
)

// postSigned sends body to path with timestamp ts, signed, and returns the
// status: the same call twice is a replay of one request.
func (c *httpChat) postSigned(t *testing.T, path, body, ts string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.server.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", signed(ts, []byte(body)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A signed request delivered again (by an attacker who saw it, or a proxy
// that retries) within the signature's five minutes gets 200 and does
// nothing: the same /sms reply texts once. After the five minutes it is
// refused as stale.
func TestSlackReplayedCommandTextsOnce(t *testing.T) {
	c := newHTTPChat(t, bottest.Setup{Admins: []string{"U0ALICE"}})
	c.Type(t, "U0ALICE", "numbers add +12065550101 50")
	c.WaitFor(t, "Added")
	c.Type(t, "U0ALICE", "add crew +12065550001 Ada")
	c.WaitFor(t, "to crew")

	c.clock.Advance(humanPause)
	c.cursor = c.fake.count()
	body := c.commandForm(t, "U0ALICE", staffID, "reply +12065550001 Room C is open")
	ts := strconv.FormatInt(c.clock.Now().Unix(), 10)
	if code := c.postSigned(t, "/slack/commands", body, ts); code != http.StatusOK {
		t.Fatalf("first delivery answered %d", code)
	}
	c.WaitFor(t, "texted")
	for _, after := range []time.Duration{0, time.Second, 4 * time.Minute} {
		c.clock.Advance(after)
		if code := c.postSigned(t, "/slack/commands", body, ts); code != http.StatusOK {
			t.Fatalf("a replay %s later answered %d, want 200", after, code)
		}
	}
	c.clock.Advance(2 * time.Minute) // the timestamp is now stale
	if code := c.postSigned(t, "/slack/commands", body, ts); code != http.StatusUnauthorized {
		t.Fatalf("a replay after the window answered %d, want 401", code)
	}
	c.adapter.Close() // wait for whatever the requests started
	if sent := c.sim.Sent(); len(sent) != 1 {
		t.Fatalf("%d texts for one /sms reply delivered 5 times: %+v", len(sent), sent)
	}
	if n := len(c.logs.lines("ignored a repeated Slack request")); n != 3 {
		t.Fatalf("%d replays logged, want 3", n)
	}
}

// A replayed click does nothing either: the Approve press is not seen
// twice (the second would get a "⚠️" answer).
func TestSlackReplayedClickIsIgnored(t *testing.T) {
	c := newHTTPChat(t, bottest.Setup{Admins: []string{"U0ALICE"}})
	c.Type(t, "U0ALICE", "numbers add +12065550101 50")
	c.WaitFor(t, "Added")
	c.Type(t, "U0ALICE", "add crew +12065550001 Ada")
	c.WaitFor(t, "to crew")
	c.Type(t, "U0ALICE", "send crew Dinner")
	c.WaitFor(t, "waiting for approval")
	b := c.Button(t, "Approve")
	c.clock.Advance(humanPause)
	body := c.clickForm(t, "U0ALICE", b.Message, b.Channel, b.Action)
	ts := strconv.FormatInt(c.clock.Now().Unix(), 10)
	for range 2 {
		if code := c.postSigned(t, "/slack/interactions", body, ts); code != http.StatusOK {
			t.Fatalf("click answered %d", code)
		}
	}
	c.WaitFor(t, "finished")
	c.adapter.Close()
	if all, _ := c.fake.since(0); strings.Contains(dump(all), "⚠️") {
		t.Fatalf("the replayed click was handled:\n%s", dump(all))
	}
}

// dump joins what Slack showed, for failure messages.
func dump(all []shown) string {
	var b strings.Builder
	for _, s := range all {
		b.WriteString(s.kind + ": " + s.text + "\n")
	}
	return b.String()
}

// In Socket Mode, an envelope delivered again is acknowledged again and
// ignored: the /sms reply in it texts once.
func TestSlackSocketModeRepeatedEnvelopeTextsOnce(t *testing.T) {
	fake := newSlackFake(t, clockwork.NewRealClock())
	c := bottest.NewCore(t, bottest.Setup{Admins: []string{"U0ALICE"}}, nil)
	a := startSocket(t, fake, c.Router)
	command := func(id, text string, want string) {
		t.Helper()
		from := fake.count()
		fake.srv.SendToWebsocket(envelope(t, id, "slash_commands", map[string]any{
			"command": "/sms", "text": text, "user_id": "U0ALICE", "channel_id": staffID,
			"response_url": fake.responseURLFor(id), "team_id": "T0EVENT",
		}))
		acked(t, fake, id)
		if want != "" {
			fake.waitFor(t, from, want)
		}
	}
	command("env-1", "numbers add +12065550101 50", "Added")
	command("env-2", "add crew +12065550001 Ada", "to crew")
	command("env-3", "reply +12065550001 Room C", "texted")
	command("env-3", "reply +12065550001 Room C", "") // the same envelope again
	// env-4 is handled after env-3's second delivery; once it is
	// answered, whatever env-3 started has started.
	command("env-4", "numbers", "+12065550101")
	a.Close()
	if sent := c.Sim.Sent(); len(sent) != 1 {
		t.Fatalf("%d texts for one envelope delivered twice", len(sent))
	}
}

// Requests that fail the signature check are logged at most once every
// 10 seconds, and the next line counts those left out.
func TestSlackBadSignatureLogIsRateLimited(t *testing.T) {
	c := newHTTPChat(t, bottest.Setup{Admins: []string{"U0ALICE"}})
	bad := func(string, []byte) string { return "v0=deadbeef" }
	cmd := c.commandForm(t, "U0ALICE", staffID, "numbers")
	for range 50 {
		if code := c.post(t, "/slack/commands", cmd, bad); code != http.StatusUnauthorized {
			t.Fatalf("answered %d", code)
		}
	}
	if lines := c.logs.lines("refused unsigned Slack request"); len(lines) != 1 || !strings.Contains(lines[0], "suppressed=0") {
		t.Fatalf("50 bad requests in a second logged:\n%s", strings.Join(lines, "\n"))
	}
	c.clock.Advance(9 * time.Second)
	c.post(t, "/slack/commands", cmd, bad)
	c.clock.Advance(time.Second)
	c.post(t, "/slack/commands", cmd, bad)
	lines := c.logs.lines("refused unsigned Slack request")
	if len(lines) != 2 || !strings.Contains(lines[1], "suppressed=50") {
		t.Fatalf("after 10 s:\n%s", strings.Join(lines, "\n"))
	}
	if senders, _ := c.store.Senders(context.Background()); len(senders) != 0 {
		t.Fatal("a refused request changed the store")
	}
}
