package discord_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"smsbot/bot"
	"smsbot/bot/bottest"
)

// Interaction tokens are in the URLs of interaction answers and
// follow-ups: when such a call fails, neither the logs (adapter and
// router) nor the errors shown to people name them. Nor do they name an
// attachment link's signature.
func TestDiscordLogsNoTokens(t *testing.T) {
	c, a := newGateway(t, bottest.Setup{Admins: []string{"alice"}})
	withCrew(t, c)
	var tokens []string
	token := func(ix map[string]any) map[string]any {
		tokens = append(tokens, ix["token"].(string))
		return ix
	}

	// A download whose connection drops: its link is signed.
	for range 10 { // net/http retries a GET whose reused connection drops
		c.fake.dropNext("GET attachments")
	}
	link := c.fake.share("crew.csv", crewCSV(t))
	c.cursor = c.fake.count()
	c.deliver(t, c.importing(t, "alice", link))
	c.WaitFor(t, "⚠️")
	c.fake.mu.Lock()
	c.fake.drop = nil
	c.fake.mu.Unlock()

	// An error answer (filling the deferred response) whose connection drops.
	c.fake.dropNext("PATCH webhooks/messages")
	c.Type(t, "mallory", "send crew Hi")
	waitLogged(t, c, "posting answer failed")
	tokens = append(tokens, fmt.Sprintf("interaction-token-%d", c.n))

	// A gateway callback whose connection drops.
	c.fake.dropNext("POST interactions/callback")
	a.GatewayInteraction(event(t, token(c.command(t, "alice", staffID, "lists"))))
	waitLogged(t, c, "answering an interaction failed")

	// A follow-up refused with 429 for longer than it may wait, and
	// follow-ups whose connection drops: the errors come back to the caller.
	conv := func() bot.Conversation {
		var i discordgo.Interaction
		b, _ := json.Marshal(token(c.command(t, "alice", staffID, "help")))
		if err := json.Unmarshal(b, &i); err != nil {
			t.Fatal(err)
		}
		return c.adapter.Interaction(&i, 10<<20)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c.fake.rateLimitNext("POST webhooks", "", 2*time.Minute)
	_, err1 := conv().Post(ctx, bot.Message{Ephemeral: true, Text: "limited"})
	c.fake.dropNext("POST webhooks")
	_, err2 := conv().Post(ctx, bot.Message{Ephemeral: true, Text: "dropped"})
	c.fake.dropNext("POST webhooks")
	_, err3 := conv().(bot.Attacher).Attach(ctx, "x.csv", []byte("a,b\n"), "file")
	if err1 == nil || err2 == nil || err3 == nil {
		t.Fatalf("follow-ups that failed returned %v, %v, %v", err1, err2, err3)
	}

	c.adapter.Close()
	a.Close()

	logged := c.logs.String() + fmt.Sprint(err1, err2, err3)
	for _, tok := range append(tokens, "hm=3f1e") {
		if strings.Contains(logged, tok) {
			t.Errorf("%q is in the logs or errors", tok)
		}
	}
	if !strings.Contains(logged, "REDACTED") {
		t.Errorf("nothing was redacted: the failures did not name their URLs\n%s", logged)
	}
	shown, _ := c.fake.since(0)
	for _, s := range shown {
		for _, tok := range tokens {
			if strings.Contains(s.text, tok) {
				t.Errorf("%q shown in a %s: %s", tok, s.kind, s.text)
			}
		}
	}
}

// waitLogged waits for the logs to have s.
func waitLogged(t *testing.T, c *chat, s string) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for !strings.Contains(c.logs.String(), s) {
		select {
		case <-deadline:
			t.Fatalf("never logged %q", s)
		case <-time.After(10 * time.Millisecond): // polling a log, not timing the code
		}
	}
}

// Unsigned requests (anyone can send them, as fast as they like) are
// logged at most once per 10 s, with the count of those left out.
func TestDiscordRateLimitsRefusalLogs(t *testing.T) {
	c := newChat(t, bottest.Setup{})
	body := []byte(`{"type":1}`)
	ts := strconv.FormatInt(c.clock.Now().Unix(), 10)
	for range 5 {
		if code, _ := c.request(t, body, "00", ts); code != http.StatusUnauthorized {
			t.Fatalf("unsigned request answered %d", code)
		}
	}
	if n := strings.Count(c.logs.String(), "refused unsigned"); n != 1 {
		t.Fatalf("5 unsigned requests in a second logged %d lines, want 1", n)
	}
	c.clock.Advance(10 * time.Second)
	c.request(t, body, "00", ts)
	logs := c.logs.String()
	if n := strings.Count(logs, "refused unsigned"); n != 2 || !strings.Contains(logs, "suppressed=4") {
		t.Fatalf("after 10 s: %d lines, want 2, the second counting 4 suppressed:\n%s", n, logs)
	}
}
