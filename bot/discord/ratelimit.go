package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot/replay"
)

// maxAttempts bounds the tries of one call that Discord keeps refusing with
// 429; the caller's context bounds the time.
const maxAttempts = 5

// limiter keeps REST calls to Discord within its rate limits, on the
// adapter's clock: it reads each answer's X-RateLimit-Remaining and
// X-RateLimit-Reset-After, holds calls to a route whose bucket is empty
// until it resets (every route while a global limit lasts), and retries a
// call refused with 429 after retry_after. A 429 means Discord did not act
// on the call, so a retried post is not posted twice.
//
// It takes the headers off the answers it hands to discordgo, and the
// adapter turns discordgo's own retries off: discordgo sleeps on the wall
// clock, whatever the request's context, and retries a 429 for ever. A call
// is given up, and discordgo returns a *discordgo.RateLimitError, when the
// wait would outlast its context or after maxAttempts. Each attempt has
// its own timeout, so waits do not count against it.
type limiter struct {
	next    http.RoundTripper
	clock   clockwork.Clock
	log     *slog.Logger
	timeout time.Duration // of one attempt; 0: none

	mu      sync.Mutex
	buckets map[string]*bucket // route → its limit as last seen
	global  time.Time          // no call before this
}

// bucket is a route's limit: remaining calls until reset.
type bucket struct {
	remaining int
	reset     time.Time
}

func newLimiter(next http.RoundTripper, clock clockwork.Clock, log *slog.Logger, timeout time.Duration) *limiter {
	return &limiter{next: next, clock: clock, log: log, timeout: timeout, buckets: map[string]*bucket{}}
}

// RoundTrip sends r within Discord's limits. Other hosts (attachments)
// pass through.
func (l *limiter) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != discordHost || !strings.HasPrefix(r.URL.Path, "/api/") {
		return l.attempt(r)
	}
	ctx, key := r.Context(), route(r)
	for attempt := 1; ; attempt++ {
		for wait := l.reserve(key); wait > 0; wait = l.reserve(key) {
			if !replay.Fits(ctx, wait) {
				return nil, fmt.Errorf("discord: %s is rate limited for %s more", redactPath(key), wait)
			}
			if err := replay.Sleep(ctx, l.clock, wait); err != nil {
				return nil, err
			}
		}
		req := r
		if attempt > 1 {
			var err error
			if req, err = replay.Rewind(r); err != nil {
				return nil, err
			}
		}
		sent := l.clock.Now()
		resp, err := l.attempt(req)
		if err != nil {
			return nil, err
		}
		limited := resp.StatusCode == http.StatusTooManyRequests
		var wait time.Duration
		if limited {
			wait = retryAfter(resp)
		}
		l.update(key, resp.Header, sent, wait)
		for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Reset-After", "X-RateLimit-Bucket", "X-RateLimit-Global", "X-RateLimit-Scope"} {
			resp.Header.Del(h)
		}
		if !limited {
			return resp, nil
		}
		if attempt >= maxAttempts || !replay.Replayable(r) || !replay.Fits(ctx, wait) {
			l.log.Warn("Discord rate limit: giving up", "route", redactPath(key), "retry_after", wait, "attempt", attempt)
			return resp, nil
		}
		l.log.Info("Discord rate limit: retrying", "route", redactPath(key), "retry_after", wait, "attempt", attempt)
		resp.Body.Close()
	}
}

// attempt sends r once, within the attempt timeout, which ends when the
// answer's body is closed.
func (l *limiter) attempt(r *http.Request) (*http.Response, error) {
	if l.timeout <= 0 {
		return l.next.RoundTrip(r)
	}
	ctx, cancel := context.WithTimeout(r.Context(), l.timeout)
	resp, err := l.next.RoundTrip(r.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// reserve takes a call from key's bucket and returns 0, or returns how long
// to wait before asking again.
func (l *limiter) reserve(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if now.Before(l.global) {
		return l.global.Sub(now)
	}
	b := l.buckets[key]
	if b == nil || !now.Before(b.reset) {
		return 0 // unknown, or reset since: Discord tells us again
	}
	if b.remaining <= 0 {
		return b.reset.Sub(now)
	}
	b.remaining--
	return 0
}

// update records the limit an answer reports; wait is a 429's retry_after.
// Times count from when the call was sent: Discord measured them a
// little later, so a bucket may look reset a round trip early, and a
// rare 429 is retried. (Counting from the answer instead would wait a
// round trip too long at each reset.)
func (l *limiter) update(key string, h http.Header, now time.Time, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if wait > 0 && (h.Get("X-RateLimit-Global") != "" || h.Get("X-RateLimit-Scope") == "global") {
		l.global = now.Add(wait)
		return
	}
	remaining, err1 := strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	after, err2 := strconv.ParseFloat(h.Get("X-RateLimit-Reset-After"), 64)
	b := &bucket{remaining: remaining, reset: now.Add(seconds(after))}
	if err1 != nil || err2 != nil {
		if wait == 0 {
			return
		}
		b = &bucket{}
	}
	if wait > 0 {
		b.remaining, b.reset = 0, maxTime(b.reset, now.Add(wait))
	}
	l.buckets[key] = b
}

// retryAfter reads a 429's wait: the body's retry_after (seconds, with
// decimals), else the Retry-After header (whole seconds). It leaves the
// body readable for discordgo.
func retryAfter(resp *http.Response) time.Duration {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var rl struct {
		RetryAfter float64 `json:"retry_after"`
	}
	if json.Unmarshal(body, &rl) == nil && rl.RetryAfter > 0 {
		return seconds(rl.RetryAfter)
	}
	if s, err := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64); err == nil && s > 0 {
		return seconds(s)
	}
	return time.Second
}

func seconds(s float64) time.Duration {
	return time.Duration(math.Ceil(s * float64(time.Second)))
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// route names r's rate-limit bucket: its method and path, with the
// top-level resource that Discord limits separately (a channel, a guild, a
// webhook or an interaction with its token) kept, and other IDs made
// alike, so edits of different messages in one channel share a bucket.
func route(r *http.Request) string {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) > 1 && parts[0] == "api" && strings.HasPrefix(parts[1], "v") {
		parts = parts[2:]
	}
	keep := 0
	if len(parts) > 0 {
		switch parts[0] {
		case "channels", "guilds":
			keep = 2
		case "webhooks", "interactions":
			keep = 3
		}
	}
	for i := keep; i < len(parts); i++ {
		if snowflake(parts[i]) {
			parts[i] = ":id"
		}
	}
	return r.Method + " /" + strings.Join(parts, "/")
}
