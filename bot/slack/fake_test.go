package slack_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/slack-go/slack/slacktest"
)

// shown is one thing Slack showed: a posted, updated or ephemeral
// message, with its text (all of its blocks' text) and buttons.
type shown struct {
	kind    string // "post", "update", "ephemeral"
	channel string
	ts      string
	text    string
	field   string            // the message's text field, as sent
	buttons map[string]string // label → action ID
	at      time.Time         // on the fake's clock
}

// slackFake records the Web API calls and response_url posts smsbot
// makes, on top of slacktest's server (which also serves Socket Mode). Like
// Slack, it refuses messages over Block Kit's limits (checkMessage) and
// calls over its rate limits (slackLimits), timed on clock; a test fails
// if the adapter sent anything Slack would refuse for its content.
type slackFake struct {
	srv   *slacktest.Server
	clock clockwork.Clock

	mu      sync.Mutex
	shown   []shown
	latest  map[string]int // ts → index in shown of its newest version
	changed chan struct{}
	seq     int

	files      map[string]string // file ID → content, served with the bot token
	chunked    bool              // serve files without Content-Length
	downloads  int               // file downloads asked for
	uploaded   map[string]string // uploaded file name → content
	uploadedTo map[string]string // uploaded file name → channel it was shared in
	uploadedIn map[string]string // uploaded file name → thread it was shared in
	uploadIDs  map[string]string // file ID → name, between upload and completion
	dms        map[string]string // user → DM channel opened with conversations.open

	buckets       map[string]*tokens // method (and channel) → its rate limit
	faults        []fault
	refused       []refusal
	allowRefusals bool              // a test that sends what Slack refuses on purpose
	bodies        map[string][]byte // recorded error bodies by file name
}

// newSlackFake starts a fake Slack whose rate limits run on clock, the
// adapter's.
func newSlackFake(t *testing.T, clock clockwork.Clock) *slackFake {
	f := &slackFake{clock: clock, latest: map[string]int{}, changed: make(chan struct{}), files: map[string]string{},
		uploaded: map[string]string{}, uploadedTo: map[string]string{}, uploadedIn: map[string]string{}, uploadIDs: map[string]string{},
		dms: map[string]string{}, buckets: map[string]*tokens{}, bodies: map[string][]byte{}}
	for _, name := range []string{"error_ratelimited.json", "error_msg_too_long.json", "error_invalid_blocks.json"} {
		f.bodies[name] = fixture(t, name)
	}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", f.webAPI("chat.postMessage", "post"))
		c.Handle("/chat.update", f.webAPI("chat.update", "update"))
		c.Handle("/chat.postEphemeral", f.webAPI("chat.postEphemeral", "ephemeral"))
		c.Handle("/response/", f.responseURL)
		c.Handle("/files.info", f.filesInfo)
		c.Handle("/files-pri/", f.download)
		c.Handle("/files.getUploadURLExternal", f.uploadURL)
		c.Handle("/upload/", f.upload)
		c.Handle("/files.completeUploadExternal", f.completeUpload)
		c.Handle("/conversations.open", f.openConversation)
	})
	f.srv.Start()
	t.Cleanup(func() {
		f.srv.Stop()
		f.checkRefusals(t)
	})
	return f
}

func (f *slackFake) apiURL() string { return f.srv.GetAPIURL() }

func (f *slackFake) responseURLFor(name string) string {
	return strings.TrimSuffix(f.srv.GetAPIURL(), "/") + "/response/" + name
}

func (f *slackFake) webAPI(method, kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		s := shown{kind: kind, channel: form.Get("channel"), ts: form.Get("ts"), field: form.Get("text")}
		s.text, s.buttons = render(form.Get("text"), form.Get("blocks"))
		f.mu.Lock()
		defer f.mu.Unlock()
		if after, ok := f.limit(method, s.channel, s.text); !ok {
			f.refuse(w, refusal{method: method, channel: s.channel, text: s.text, err: "ratelimited", after: after})
			return
		}
		if code, details := checkMessage(form.Get("text"), form.Get("blocks")); code != "" {
			f.refuse(w, refusal{method: method, channel: s.channel, text: s.text, err: code, details: details})
			return
		}
		if code := f.refusedFor(method, s.text); code != "" {
			f.refuse(w, refusal{method: method, channel: s.channel, text: s.text, err: code})
			return
		}
		if kind == "post" {
			f.seq++
			s.ts = fmt.Sprintf("1764300000.%06d", f.seq)
		}
		f.record(s)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": s.channel, "ts": s.ts, "message_ts": s.ts})
	}
}

func (f *slackFake) responseURL(w http.ResponseWriter, r *http.Request) {
	var msg struct {
		Text   string          `json:"text"`
		Blocks json.RawMessage `json:"blocks"`
	}
	json.NewDecoder(r.Body).Decode(&msg)
	s := shown{kind: "ephemeral", field: msg.Text}
	s.text, s.buttons = render(msg.Text, string(msg.Blocks))
	f.mu.Lock()
	defer f.mu.Unlock()
	code, details := checkMessage(msg.Text, string(msg.Blocks))
	if code == "" {
		code = f.refusedFor("response_url", s.text)
	}
	if code != "" {
		// Response URLs answer like incoming webhooks: a status and the
		// error code as plain text.
		f.refused = append(f.refused, refusal{method: "response_url", text: s.text, err: code, details: details, at: f.clock.Now()})
		http.Error(w, code, http.StatusBadRequest)
		return
	}
	f.record(s)
	w.Write([]byte("ok"))
}

// record appends s; callers hold f.mu.
func (f *slackFake) record(s shown) {
	s.at = f.clock.Now()
	f.shown = append(f.shown, s)
	if s.ts != "" {
		f.latest[s.ts] = len(f.shown) - 1
	}
	close(f.changed)
	f.changed = make(chan struct{})
}

// render collects the text and buttons of a message's blocks.
func render(text, blocks string) (string, map[string]string) {
	var parts []string
	buttons := map[string]string{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if v["type"] == "button" {
				label, _ := v["text"].(map[string]any)["text"].(string)
				buttons[label], _ = v["action_id"].(string)
				return
			}
			if s, ok := v["text"].(string); ok {
				parts = append(parts, s)
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	var parsed any
	if json.Unmarshal([]byte(blocks), &parsed) == nil && parsed != nil {
		walk(parsed)
	} else {
		parts = append(parts, text)
	}
	return strings.Join(parts, "\n"), buttons
}

// since returns what was shown from index i on, and a channel closed at
// the next change.
func (f *slackFake) since(i int) ([]shown, <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]shown(nil), f.shown[i:]...), f.changed
}

func (f *slackFake) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.shown)
}

// newestButton finds the newest message whose current version shows a
// button labelled label.
func (f *slackFake) newestButton(label string) (ts, channel, action string, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.shown) - 1; i >= 0; i-- {
		s := f.shown[i]
		if s.ts == "" || f.latest[s.ts] != i {
			continue
		}
		if a, found := s.buttons[label]; found {
			return s.ts, s.channel, a, true
		}
	}
	return "", "", "", false
}

// waitFor waits for something shown from index from on that contains s.
func (f *slackFake) waitFor(t *testing.T, from int, s string) string {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		shownSince, changed := f.since(from)
		for _, m := range shownSince {
			if strings.Contains(m.text, s) {
				return m.text
			}
		}
		select {
		case <-changed:
		case <-timeout:
			var all []string
			for _, m := range shownSince {
				all = append(all, m.kind+": "+m.text)
			}
			everything, _ := f.since(0)
			var dump []string
			for i, m := range everything {
				dump = append(dump, fmt.Sprintf("%d %s ts=%s: %s %v", i, m.kind, m.ts, strings.ReplaceAll(m.text, "\n", " | "), m.buttons))
			}
			t.Fatalf("Slack never showed %q (from %d); shown since the last input:\n%s\nALL:\n%s", s, from, strings.Join(all, "\n---\n"), strings.Join(dump, "\n"))
		}
	}
}
