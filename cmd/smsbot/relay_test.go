package main

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"smsbot/broadcast/twilio/twiliotest"
)

// staffSlack is a Slack Web API fake for the staff channel: its first
// failures calls to chat.postMessage get 503 (an outage), later ones ok.
type staffSlack struct {
	failures int

	mu    sync.Mutex
	calls int
	shown []url.Values    // the posts answered ok
	ok    chan url.Values // each post answered ok
}

func (s *staffSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, "/chat.postMessage") {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":false,"error":"unknown_method"}`)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.calls++
	fail := s.calls <= s.failures
	if !fail {
		s.shown = append(s.shown, r.PostForm)
	}
	n := len(s.shown)
	s.mu.Unlock()
	if fail {
		http.Error(w, "<html><body>503 Service Unavailable</body></html>", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1700000000.%06d"}`, r.PostForm.Get("channel"), n)
	w.(http.Flusher).Flush() // the answer is on its way before the test hears of it
	s.ok <- r.PostForm
}

// TestServeRetriesRelayWhileRunning texts smsbot serve through Twilio's
// webhook while the staff channel's Slack is down: the relay fails twice
// and is retried, with backoff, while serve runs (not only at the next
// start), until staff see the text, once. Serve then shuts down cleanly
// with the relay loop running.
func TestServeRetriesRelayWhileRunning(t *testing.T) {
	const (
		publicURL = "https://sms.example.org"
		staffID   = "C0STAFF"
		body      = "Which room is dinner in?"
	)
	twilioFake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(twilioFake.Close)
	slackFake := &staffSlack{failures: 2, ok: make(chan url.Values, 16)}
	slackSrv := httptest.NewServer(slackFake)
	t.Cleanup(slackSrv.Close)
	base, cancel, done := startServe(t, map[string]string{
		"TWILIO_ACCOUNT_SID": twilioFake.AccountSID(), "TWILIO_AUTH_TOKEN": twilioFake.AuthToken(),
		"TWILIO_API_URL": twilioFake.URL(), "SMSBOT_PUBLIC_URL": publicURL,
		"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret", "SLACK_API_URL": slackSrv.URL + "/api/",
		"SLACK_STAFF_CHANNEL": staffID, "SMSBOT_ADMINS": "U0ALICE",
	})
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			cancel()
			<-done
		}
	})

	raw, err := twiliotest.Fixture("webhooks/incoming_sms.txt")
	if err != nil {
		t.Fatal(err)
	}
	form, err := url.ParseQuery(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	form.Set("Body", body)
	req, err := http.NewRequest(http.MethodPost, base+"/twilio/inbound", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", twilioSignature(twilioFake.AuthToken(), publicURL+"/twilio/inbound", form))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("webhook answered %d %q (%v), want 200", resp.StatusCode, answer, err)
	}

	timeout := time.NewTimer(30 * time.Second) // a failsafe: the backoff is 1 s, then 2 s
	defer timeout.Stop()
	select {
	case post := <-slackFake.ok:
		if post.Get("channel") != staffID || !strings.Contains(post.Get("text")+post.Get("blocks"), body) {
			t.Errorf("staff channel got %v, want the text %q in %s", post, body, staffID)
		}
	case err := <-done:
		stopped = true
		t.Fatalf("serve ended before the relay was retried: %v", err)
	case <-timeout.C:
		slackFake.mu.Lock()
		defer slackFake.mu.Unlock()
		t.Fatalf("staff never saw the text: %d posts, the first %d refused", slackFake.calls, slackFake.failures)
	}

	cancel()
	stopped = true
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve ended with %v", err)
		}
	case <-timeout.C:
		t.Fatal("serve did not shut down")
	}
	slackFake.mu.Lock()
	defer slackFake.mu.Unlock()
	shown := slices.DeleteFunc(slices.Clone(slackFake.shown), func(v url.Values) bool {
		return !strings.Contains(v.Get("text")+v.Get("blocks"), body)
	})
	if len(shown) != 1 || slackFake.calls != slackFake.failures+1 {
		t.Errorf("staff saw the text %d times in %d posts (%d refused), want once in %d",
			len(shown), slackFake.calls, slackFake.failures, slackFake.failures+1)
	}
}

// twilioSignature computes X-Twilio-Signature: base64(HMAC-SHA1(token,
// URL + each field's name and value, in name order)).
func twilioSignature(token, fullURL string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString(fullURL)
	for _, k := range keys {
		b.WriteString(k + form.Get(k))
	}
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
