package slack_test

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strconv"
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
		uploaded: map[string]string{}, uploadedTo: map[string]string{}, uploadIDs: map[string]string{},
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

// filesURL is where the fake serves files.slack.com's paths.
func (f *slackFake) filesURL() string { return strings.TrimSuffix(f.srv.GetAPIURL(), "/api/") }

// fileLink is a file's link as Slack gives it: on files.slack.com.
func fileLink(id, name string) string {
	return "https://files.slack.com/files-pri/T0EVENT-" + id + "/" + name
}

// share makes a file as if a user had uploaded it, and returns its link.
func (f *slackFake) share(id, name, content string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files[id] = content
	return fileLink(id, name)
}

func (f *slackFake) filesInfo(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	id := r.Form.Get("file")
	f.mu.Lock()
	content := f.files[id]
	f.mu.Unlock()
	link := fileLink(id, "crew.csv")
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "file": map[string]any{"id": id, "name": "crew.csv", "size": len(content),
		"url_private": link, "url_private_download": link}})
}

func (f *slackFake) download(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.downloads++
	id := strings.TrimPrefix(strings.Split(strings.TrimPrefix(r.URL.Path, "/files-pri/"), "/")[0], "T0EVENT-")
	content, ok := f.files[id]
	if !ok || r.Header.Get("Authorization") != "Bearer xoxb-test" {
		w.Header().Set("Content-Type", "text/html") // Slack's login page
		w.Write([]byte("<html>sign in</html>"))
		return
	}
	w.Header().Set("Content-Type", "text/csv")
	if f.chunked {
		for len(content) > 0 { // flushed in pieces: no Content-Length
			n := min(len(content), 512)
			w.Write([]byte(content[:n]))
			w.(http.Flusher).Flush()
			content = content[n:]
		}
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(content)))
	w.Write([]byte(content))
}

func (f *slackFake) openConversation(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	users := r.Form.Get("users")
	if users == "" || strings.Contains(users, ",") {
		json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "invalid_arguments"})
		return
	}
	dm := "D0" + strings.TrimPrefix(users, "U0")
	f.mu.Lock()
	f.dms[users] = dm
	f.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": map[string]any{"id": dm, "is_im": true, "user": users}})
}

func (f *slackFake) uploadURL(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f.mu.Lock()
	f.seq++
	id := fmt.Sprintf("F0UP%04d", f.seq)
	f.uploadIDs[id] = r.Form.Get("filename")
	f.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "file_id": id,
		"upload_url": strings.TrimSuffix(f.srv.GetAPIURL(), "/") + "/upload/" + url.PathEscape(r.Form.Get("filename"))})
}

func (f *slackFake) upload(w http.ResponseWriter, r *http.Request) {
	name, _ := url.PathUnescape(strings.TrimPrefix(r.URL.Path, "/upload/"))
	file, _, err := r.FormFile("file")
	if err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	b, _ := io.ReadAll(file)
	f.mu.Lock()
	f.uploaded[name] = string(b)
	f.mu.Unlock()
	w.Write([]byte("OK"))
}

// completeUpload shares uploaded files in channel_id (none: private).
func (f *slackFake) completeUpload(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	var done []struct {
		ID string `json:"id"`
	}
	json.Unmarshal([]byte(r.Form.Get("files")), &done)
	f.mu.Lock()
	var out []map[string]any
	for _, d := range done {
		f.uploadedTo[f.uploadIDs[d.ID]] = r.Form.Get("channel_id")
		out = append(out, map[string]any{"id": d.ID, "title": f.uploadIDs[d.ID]})
	}
	f.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "files": out})
}

func (f *slackFake) report(name string) (string, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.uploaded[name], f.downloads
}

// shared returns every uploaded file's name and the channel it was
// shared in.
func (f *slackFake) shared() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.uploadedTo)
}

// sharedIn returns the channel an uploaded file was shared in.
func (f *slackFake) sharedIn(name string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.uploadedTo[name]
}
