package slack_test

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"smsbot/bot/bottest"
)

// A response URL answers as the user for 30 minutes: when posting to one
// fails, what is logged (by the router, from the error the adapter returns,
// and by the adapter) names Slack's host, never the URL.
func TestSlackLogsNoResponseURL(t *testing.T) {
	c := newHTTPChat(t, bottest.Setup{Admins: []string{"U0ALICE"}})
	dead := httptest.NewServer(nil)
	secretURL := dead.URL + "/commands/T0EVENT/1234567890/SECRETxRESPONSExURL"
	dead.Close() // posting to it fails: connection refused, a *url.Error naming it

	form, err := url.ParseQuery(c.commandForm(t, "U0ALICE", staffID, "help"))
	if err != nil {
		t.Fatal(err)
	}
	form.Set("response_url", secretURL)
	c.post(t, "/slack/commands", form.Encode(), signed)
	c.logs.waitFor(t, "posting answer failed")

	// A press whose answer fails the same way: an unknown button.
	click, err := url.ParseQuery(c.clickForm(t, "U0ALICE", "1764300000.000001", staffID, "nonsense:1"))
	if err != nil {
		t.Fatal(err)
	}
	var payload map[string]any
	if err := json.Unmarshal([]byte(click.Get("payload")), &payload); err != nil {
		t.Fatal(err)
	}
	payload["response_url"] = secretURL
	raw, _ := json.Marshal(payload)
	click.Set("payload", string(raw))
	c.post(t, "/slack/interactions", click.Encode(), signed)

	// The adapter's own answer (a command from another channel), which
	// the adapter logs itself when it fails.
	form.Set("channel_id", "C0RANDOM")
	form.Set("trigger_id", "another")
	c.post(t, "/slack/commands", form.Encode(), signed)
	c.adapter.Close()
	if n := len(c.logs.lines("answering outside the staff channel failed")); n != 1 {
		t.Fatalf("the adapter logged %d failed answers, want 1", n)
	}

	logs, _ := c.logs.text()
	if n := len(c.logs.lines("posting answer failed")); n != 2 {
		t.Fatalf("%d failed answers logged, want 2:\n%s", n, logs)
	}
	for _, secret := range []string{"SECRETxRESPONSExURL", "/commands/T0EVENT"} {
		if strings.Contains(logs, secret) {
			t.Fatalf("the logs name the response URL (%s):\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, strings.TrimPrefix(dead.URL, "http://")) {
		t.Fatalf("the logs do not say which host failed:\n%s", logs)
	}
}
