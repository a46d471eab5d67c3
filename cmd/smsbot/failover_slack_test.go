//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	botslack "smsbot/bot/slack"
)

// slackCall is one call a replica made to the Slack fake.
type slackCall struct {
	method  string // chat.postMessage, chat.update, or "response_url"
	channel string
	ts      string // the message's: the one given for a post, the edited one for an update
	text    string // the text field (the fallback: title and text)
	blocks  string // the blocks, as JSON
	at      time.Time
}

// slackAPI is a Slack Web API fake shared by every replica: it answers
// chat.postMessage and chat.update like Slack (ok, channel, ts; a post
// gets a new ts), takes ephemeral answers at /response, records every
// call in order, and refuses any other method with unknown_method (also
// recorded, so a test sees what it did not expect).
type slackAPI struct {
	mu     sync.Mutex
	calls  []slackCall
	posted int
	more   chan struct{} // poked (never blocking) after each call
}

func newSlackAPI() *slackAPI { return &slackAPI{more: make(chan struct{}, 1)} }

func (s *slackAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := slackCall{method: r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:], at: time.Now()}
	var answer string
	switch c.method {
	case "response":
		c.method = "response_url"
		var m struct {
			Text string `json:"text"`
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		_ = json.Unmarshal(body, &m)
		c.text, c.blocks = m.Text, string(body)
		answer = "ok"
	case "chat.postMessage", "chat.update":
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c.channel, c.ts = r.PostForm.Get("channel"), r.PostForm.Get("ts")
		c.text, c.blocks = r.PostForm.Get("text"), r.PostForm.Get("blocks")
	}
	s.mu.Lock()
	if c.method == "chat.postMessage" {
		s.posted++
		c.ts = fmt.Sprintf("1700000000.%06d", s.posted)
	}
	s.calls = append(s.calls, c)
	s.mu.Unlock()
	select {
	case s.more <- struct{}{}:
	default:
	}
	switch c.method {
	case "response_url":
		fmt.Fprint(w, answer)
		return
	case "chat.postMessage", "chat.update":
		answer = fmt.Sprintf(`{"ok":true,"channel":%q,"ts":%q,"text":%q}`, c.channel, c.ts, c.text)
	default:
		answer = `{"ok":false,"error":"unknown_method"}`
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, answer)
}

// snapshot returns the calls so far.
func (s *slackAPI) snapshot() []slackCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]slackCall(nil), s.calls...)
}

// waitCall returns the first call that match accepts, failing the test
// when none has come within timeout.
func (s *slackAPI) waitCall(t testing.TB, what string, timeout time.Duration, match func(slackCall) bool) slackCall {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		for _, c := range s.snapshot() {
			if match(c) {
				return c
			}
		}
		select {
		case <-s.more:
		case <-timer.C:
			t.Fatalf("Slack saw no %s within %v; calls:\n%s", what, timeout, describeCalls(s.snapshot()))
		}
	}
}

func describeCalls(calls []slackCall) string {
	var b strings.Builder
	for _, c := range calls {
		fmt.Fprintf(&b, "%s %s %s/%s %q\n", c.at.Format("15:04:05.000"), c.method, c.channel, c.ts, firstLine(c.text))
	}
	return b.String()
}

// slackFixture reads a recorded Slack payload from the module's testdata/slack.
func slackFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "slack", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// postSigned posts body to url signed as Slack signs (v0, HMAC-SHA256 of
// "v0:<ts>:<body>" with the signing secret) and fails the test unless the
// answer is 200.
func postSigned(t testing.TB, url, secret string, body []byte) {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", botslack.Sign(secret, ts, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s answered %d %q, want 200", url, resp.StatusCode, answer)
	}
}

// slashCommand posts `/sms text` to a replica's /slack/commands, as the
// recorded slash command (testdata/slack/slash_command.txt) with this text.
func slashCommand(t testing.TB, base, secret, text, responseURL string) {
	t.Helper()
	form, err := url.ParseQuery(strings.TrimSpace(string(slackFixture(t, "slash_command.txt"))))
	if err != nil {
		t.Fatal(err)
	}
	form.Set("text", text)
	form.Set("response_url", responseURL)
	postSigned(t, base+"/slack/commands", secret, []byte(form.Encode()))
}

// clickButton presses the button with action id on the message ts in
// channel, through a replica's /slack/interactions, as the recorded
// block_actions payload (testdata/slack/block_actions.json) with these.
func clickButton(t testing.TB, base, secret, channel, ts, action, responseURL string) {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal(slackFixture(t, "block_actions.json"), &p); err != nil {
		t.Fatal(err)
	}
	p["container"].(map[string]any)["message_ts"] = ts
	p["container"].(map[string]any)["channel_id"] = channel
	p["channel"].(map[string]any)["id"] = channel
	p["message"].(map[string]any)["ts"] = ts
	p["response_url"] = responseURL
	act := p["actions"].([]any)[0].(map[string]any)
	act["action_id"], act["value"] = action, action
	payload, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	postSigned(t, base+"/slack/interactions", secret, []byte(url.Values{"payload": {string(payload)}}.Encode()))
}
