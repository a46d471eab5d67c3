package discord_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// window is a fixed rate-limit window: limit calls, then none until reset.
type window struct {
	limit int
	per   time.Duration
	used  int
	reset time.Time
}

// take counts a call at now and reports the bucket's state after it; ok
// is false when the call is over the limit.
func (w *window) take(now time.Time) (remaining int, resetAfter time.Duration, ok bool) {
	if !now.Before(w.reset) {
		w.used, w.reset = 0, now.Add(w.per)
	}
	if w.used >= w.limit {
		return 0, w.reset.Sub(now), false
	}
	w.used++
	return w.limit - w.used, w.reset.Sub(now), true
}

// discordLimits are the per-route limits the fake enforces, per route and
// top-level resource (channel, or interaction token), as Discord reports
// them in X-RateLimit-*: 5 messages per 5 s per channel, and as many
// edits; 5 per 5 s per interaction's follow-ups and edits. Routes not
// listed are not limited. On top, bot-token calls share the global limit
// of 50 a second (interaction endpoints are exempt).
var discordLimits = map[string]struct {
	limit int
	per   time.Duration
}{
	"POST channels/messages":   {5, 5 * time.Second},
	"PATCH channels/messages":  {5, 5 * time.Second},
	"POST channels/threads":    {5, 5 * time.Second},
	"POST webhooks":            {5, 5 * time.Second},
	"PATCH webhooks/messages":  {5, 5 * time.Second},
	"DELETE webhooks/messages": {5, 5 * time.Second},
}

const globalLimit = 50 // calls a second with the bot token

// refusal is a call the fake refused: rate limited, or over a limit of
// size (50035) or shape.
type refusal struct {
	route  string
	text   string
	status int
	code   int            // Discord's JSON error code (0 for a 429)
	errors map[string]any // 50035's errors, keyed by the field's path
	after  time.Duration  // retry_after of a 429
	at     time.Time
}

// fault makes the next call of route whose text contains contains answer
// 429 with retry_after after.
type fault struct {
	route, contains string
	after           time.Duration
}

// rateLimitNext makes the next call of route ("PATCH channels/messages")
// whose rendered text contains contains answer 429 with retry_after after,
// whatever the limits say: a shared limit hit by another bot, for example.
func (f *discordFake) rateLimitNext(route, contains string, after time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, fault{route: route, contains: contains, after: after})
}

// limit counts a call of route on resource (a channel ID, an interaction
// token) and sets the X-RateLimit-* headers; callers hold f.mu. When the
// call is over a limit, it answers the 429 and returns false.
func (f *discordFake) limit(w http.ResponseWriter, r *http.Request, route, resource, text string) bool {
	if f.dropped(w, route) {
		return false
	}
	now := f.clock.Now()
	for i, ft := range f.faults {
		if ft.route == route && strings.Contains(text, ft.contains) {
			f.faults = append(f.faults[:i], f.faults[i+1:]...)
			f.tooMany(w, refusal{route: route, text: text, after: ft.after, at: now}, "shared")
			return false
		}
	}
	if r.Header.Get("Authorization") != "" {
		if f.global == nil {
			f.global = &window{limit: globalLimit, per: time.Second}
		}
		if _, after, ok := f.global.take(now); !ok {
			w.Header().Set("X-RateLimit-Global", "true")
			f.tooMany(w, refusal{route: route, text: text, after: after, at: now}, "global")
			return false
		}
	}
	l, limited := discordLimits[route]
	if !limited {
		return true
	}
	key := route + " " + resource
	b := f.buckets[key]
	if b == nil {
		b = &window{limit: l.limit, per: l.per}
		f.buckets[key] = b
	}
	remaining, after, ok := b.take(now)
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(l.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", fmt.Sprintf("%.3f", float64(now.Add(after).UnixMilli())/1000))
	h.Set("X-RateLimit-Reset-After", fmt.Sprintf("%.3f", after.Seconds()))
	h.Set("X-RateLimit-Bucket", fmt.Sprintf("%x", len(route)*7919)) // one hash per route, as Discord's
	if !ok {
		f.tooMany(w, refusal{route: route, text: text, after: after, at: now}, "user")
	}
	return ok
}

// accept applies Discord's rate limits and message limits to a message
// sent on route for resource; callers hold f.mu. When it returns false,
// the refusal has been answered.
func (f *discordFake) accept(w http.ResponseWriter, r *http.Request, route, resource string, s shown, payload map[string]any) bool {
	if !f.limit(w, r, route, resource, s.text) {
		return false
	}
	for i, ft := range f.tooLong {
		if ft.route == route && strings.Contains(s.text, ft.contains) {
			f.tooLong = append(f.tooLong[:i], f.tooLong[i+1:]...)
			f.invalid(w, refusal{route: route, text: s.text, code: 50035, errors: map[string]any{"embeds": map[string]any{"_errors": []any{
				map[string]any{"code": "MAX_EMBED_SIZE_EXCEEDED", "message": "Embed size exceeds maximum size of 6000"}}}}}, "Invalid Form Body")
			return false
		}
	}
	for name, content := range s.files {
		if len(content) > f.uploadLimit {
			f.refuse(refusal{route: route, text: name, status: http.StatusRequestEntityTooLarge, code: 40005})
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			w.Write(f.bodies["error_request_entity_too_large.json"])
			return false
		}
	}
	errs, empty := checkMessage(payload, len(s.files))
	switch {
	case errs != nil:
		f.invalid(w, refusal{route: route, text: s.text, code: 50035, errors: errs}, "Invalid Form Body")
		return false
	case empty:
		f.invalid(w, refusal{route: route, text: s.text, code: 50006}, "Cannot send an empty message")
		return false
	}
	return true
}

// refuseAsTooLongNext makes the next message on route whose text contains
// contains be refused as over Discord's limits (400, 50035), whatever its
// length: Discord counting otherwise than the adapter.
func (f *discordFake) refuseAsTooLongNext(route, contains string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tooLong = append(f.tooLong, fault{route: route, contains: contains})
}

// dropNext makes the next call to route ("PATCH webhooks/messages") end
// with its connection closed, unanswered, as a network failure does.
func (f *discordFake) dropNext(route string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.drop = append(f.drop, route)
}

// dropped reports whether this call of route is to be dropped, and
// closes its connection if so; callers hold f.mu.
func (f *discordFake) dropped(w http.ResponseWriter, route string) bool {
	for i, d := range f.drop {
		if d == route {
			f.drop = append(f.drop[:i], f.drop[i+1:]...)
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
			return true
		}
	}
	return false
}

// tooMany answers 429 as Discord does: the recorded body with retry_after
// in seconds (with decimals), Retry-After in whole seconds, and the
// limit's scope; callers hold f.mu.
func (f *discordFake) tooMany(w http.ResponseWriter, r refusal, scope string) {
	r.status = http.StatusTooManyRequests
	f.refuse(r)
	body := f.errorBody("error_rate_limited.json")
	body["retry_after"] = math.Round(r.after.Seconds()*1000) / 1000
	body["global"] = scope == "global"
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(r.after.Seconds()))))
	w.Header().Set("X-RateLimit-Scope", scope)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusTooManyRequests)
	json.NewEncoder(w).Encode(body)
}

// invalid answers 400 Invalid Form Body (50035) with errors, or another
// code and message when errors is nil; callers hold f.mu.
func (f *discordFake) invalid(w http.ResponseWriter, r refusal, message string) {
	r.status = http.StatusBadRequest
	f.refuse(r)
	body := f.errorBody("error_invalid_form_body.json")
	if r.errors != nil {
		body["errors"] = r.errors
	} else {
		body = map[string]any{"code": r.code, "message": message}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(body)
}

// refuse records r and signals the change; callers hold f.mu.
func (f *discordFake) refuse(r refusal) {
	f.refused = append(f.refused, r)
	close(f.changed)
	f.changed = make(chan struct{})
}

// errorBody is a fresh copy of a recorded error body.
func (f *discordFake) errorBody(name string) map[string]any {
	var body map[string]any
	if err := json.Unmarshal(f.bodies[name], &body); err != nil {
		panic(err)
	}
	return body
}

// refusals returns the calls refused so far, and a channel closed at the
// next change.
func (f *discordFake) refusals() ([]refusal, <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]refusal(nil), f.refused...), f.changed
}

// waitRefused waits for the fake to have refused a call of route whose
// text contains s, and returns the refusal.
func (f *discordFake) waitRefused(t *testing.T, route, s string) refusal {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		refused, changed := f.refusals()
		for _, r := range refused {
			if r.route == route && strings.Contains(r.text, s) {
				return r
			}
		}
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("Discord's fake never refused a %s with %q; refused: %+v", route, s, refused)
		}
	}
}

// checkRefusals fails the test for every call refused for its content:
// the adapter must never send what Discord refuses.
func (f *discordFake) checkRefusals(t *testing.T) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.allowRefusals {
		return
	}
	for _, r := range f.refused {
		if r.status != http.StatusTooManyRequests {
			t.Errorf("Discord refused a %s (%d %d %v): %.200s", r.route, r.status, r.code, r.errors, r.text)
		}
	}
}
