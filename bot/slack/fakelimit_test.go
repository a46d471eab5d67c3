package slack_test

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tokens is a token bucket: burst calls at once, then one every every.
type tokens struct {
	burst float64
	every time.Duration
	left  float64
	at    time.Time
}

// take spends a token at now, or returns how long until there is one.
func (b *tokens) take(now time.Time) time.Duration {
	if b.at.IsZero() {
		b.left, b.at = b.burst, now
	}
	b.left = math.Min(b.burst, b.left+float64(now.Sub(b.at))/float64(b.every))
	b.at = now
	if b.left >= 1 {
		b.left--
		return 0
	}
	return time.Duration((1 - b.left) * float64(b.every))
}

// slackLimits are Slack's rate limits on the methods the fake serves, per
// app and workspace (docs.slack.dev, "Rate limits"): chat.postMessage
// about one message a second per channel, with short bursts; chat.update
// Tier 3 (50+ a minute); chat.postEphemeral Tier 4 (100+ a minute).
// perChannel limits are counted per channel.
var slackLimits = map[string]struct {
	burst      float64
	every      time.Duration
	perChannel bool
}{
	"chat.postMessage":   {burst: 4, every: time.Second, perChannel: true},
	"chat.update":        {burst: 50, every: 1200 * time.Millisecond},
	"chat.postEphemeral": {burst: 100, every: 600 * time.Millisecond},
}

// refusal is a call the fake refused: rate limited, or too big.
type refusal struct {
	method  string
	channel string
	text    string
	err     string   // Slack's error code
	details []string // invalid_blocks' errors
	at      time.Time
	after   time.Duration // Retry-After, when rate limited
}

// fault makes the next call of method whose text contains contains
// answer 429 with Retry-After after, or, with code, refuse it for its
// content with that error code (a response URL: 400 with the code).
type fault struct {
	method, contains string
	after            time.Duration
	code             string
}

// refuseNext makes the next call of method ("response_url" for response
// URLs) whose rendered text contains contains refused for its content
// with code, as Slack refuses what it documents no limit for
// (msg_blocks_too_long). The test must allow refusals.
func (f *slackFake) refuseNext(method, contains, code string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.allowRefusals = true
	f.faults = append(f.faults, fault{method: method, contains: contains, code: code})
}

// refusedFor returns the content fault of the call, if any, and forgets
// it; callers hold f.mu.
func (f *slackFake) refusedFor(method, text string) string {
	for i, ft := range f.faults {
		if ft.code != "" && ft.method == method && strings.Contains(text, ft.contains) {
			f.faults = append(f.faults[:i], f.faults[i+1:]...)
			return ft.code
		}
	}
	return ""
}

// rateLimitNext makes the next call of method whose rendered text contains
// contains answer 429 ratelimited with Retry-After after (whole seconds),
// whatever the limits say: a burst from another app, for example.
func (f *slackFake) rateLimitNext(method, contains string, after time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, fault{method: method, contains: contains, after: after})
}

// limit decides whether a call of method to channel with text may go
// ahead; callers hold f.mu. It returns the Retry-After of a refusal.
func (f *slackFake) limit(method, channel, text string) (time.Duration, bool) {
	for i, ft := range f.faults {
		if ft.code == "" && ft.method == method && strings.Contains(text, ft.contains) {
			f.faults = append(f.faults[:i], f.faults[i+1:]...)
			return ft.after, false
		}
	}
	l, ok := slackLimits[method]
	if !ok {
		return 0, true
	}
	key := method
	if l.perChannel {
		key += " " + channel
	}
	b := f.buckets[key]
	if b == nil {
		b = &tokens{burst: l.burst, every: l.every}
		f.buckets[key] = b
	}
	wait := b.take(f.clock.Now())
	return wait, wait == 0
}

// refuse answers a refused call as Slack does, from the recorded error
// bodies, and records it; callers hold f.mu. A rate limit is a 429 with
// Retry-After in whole seconds; any other refusal is a 200 with ok false.
func (f *slackFake) refuse(w http.ResponseWriter, r refusal) {
	r.at = f.clock.Now()
	f.refused = append(f.refused, r)
	close(f.changed)
	f.changed = make(chan struct{})
	var body map[string]any
	status := http.StatusOK
	switch r.err {
	case "ratelimited":
		body = f.errorBody("error_ratelimited.json")
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(r.after.Seconds()))))
		status = http.StatusTooManyRequests
	case "msg_too_long":
		body = f.errorBody("error_msg_too_long.json")
	case "invalid_blocks":
		body = f.errorBody("error_invalid_blocks.json")
		body["errors"] = r.details
		var msgs []string
		for _, d := range r.details {
			msgs = append(msgs, "[ERROR] "+d)
		}
		body["response_metadata"] = map[string]any{"messages": msgs}
	default:
		body = map[string]any{"ok": false, "error": r.err}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// errorBody is a fresh copy of a recorded error body.
func (f *slackFake) errorBody(name string) map[string]any {
	var body map[string]any
	if err := json.Unmarshal(f.bodies[name], &body); err != nil {
		panic(err)
	}
	return body
}

// refusals returns the calls refused from index i on, and a channel
// closed at the next change.
func (f *slackFake) refusals(i int) ([]refusal, <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]refusal(nil), f.refused[min(i, len(f.refused)):]...), f.changed
}

// waitRefused waits for the fake to have refused a call of method whose
// text contains s, and returns the refusal.
func (f *slackFake) waitRefused(t *testing.T, method, s string) refusal {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		refused, changed := f.refusals(0)
		for _, r := range refused {
			if r.method == method && strings.Contains(r.text, s) {
				return r
			}
		}
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("Slack's fake never refused a %s with %q; refused: %+v", method, s, refused)
		}
	}
}

// checkRefusals fails the test for every call refused for its content:
// the adapter must never send what Slack refuses.
func (f *slackFake) checkRefusals(t *testing.T) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.allowRefusals {
		return
	}
	for _, r := range f.refused {
		if r.err != "ratelimited" {
			t.Errorf("Slack refused a %s (%s %v): %.200s", r.method, r.err, r.details, r.text)
		}
	}
}
