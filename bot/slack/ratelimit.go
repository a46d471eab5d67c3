package slack

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot/replay"
)

// maxAttempts bounds the tries of one call that Slack keeps refusing with
// 429; the caller's context bounds the time.
const maxAttempts = 5

// retrier retries calls that Slack refused with 429 Too Many Requests, after
// the Retry-After it gave, on the adapter's clock. A 429 means Slack did
// not act on the call, so posting again cannot post twice. While a method
// is limited, every call to it waits, so a burst of relays does not keep
// hitting the limit (Slack may revoke apps that ignore it).
//
// A call is given up, and the 429 handed to slack-go (a
// *slack.RateLimitedError), when its body cannot be sent again (streamed
// uploads), when the wait would outlast the call's context, or after
// maxAttempts. It wraps the client rather than its transport so that the
// client's timeout bounds each attempt, not the waits between them.
type retrier struct {
	client *http.Client
	clock  clockwork.Clock
	log    *slog.Logger

	mu      sync.Mutex
	limited map[string]time.Time // method → no call before
}

// methodOf names a call for limits and logs: the Web API method
// (chat.postMessage), or, for any other URL (an upload URL holds a
// secret in its path), its host.
func methodOf(u *url.URL) string {
	if _, method, ok := strings.Cut(u.Path, "/api/"); ok && method != "" && !strings.Contains(method, "/") {
		return method
	}
	return u.Host
}

func newRetrier(client *http.Client, clock clockwork.Clock, log *slog.Logger) *retrier {
	return &retrier{client: client, clock: clock, log: log, limited: map[string]time.Time{}}
}

// Do sends r, waiting first while its method is limited, and again after
// each 429.
func (t *retrier) Do(r *http.Request) (*http.Response, error) {
	ctx, key := r.Context(), methodOf(r.URL)
	for attempt := 1; ; attempt++ {
		if wait := t.hold(key); wait > 0 {
			if !replay.Fits(ctx, wait) {
				return nil, fmt.Errorf("slack: %s is rate limited for %s more", key, wait)
			}
			if err := replay.Sleep(ctx, t.clock, wait); err != nil {
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
		resp, err := t.client.Do(req)
		if err != nil || resp.StatusCode != http.StatusTooManyRequests {
			return resp, err
		}
		wait, ok := retryAfter(resp.Header.Get("Retry-After"), t.clock.Now())
		if !ok {
			return resp, nil
		}
		t.limit(key, wait)
		if attempt >= maxAttempts || !replay.Replayable(r) || !replay.Fits(ctx, wait) {
			t.log.Warn("Slack rate limit: giving up", "method", key, "retry_after", wait, "attempt", attempt)
			return resp, nil
		}
		t.log.Info("Slack rate limit: retrying", "method", key, "retry_after", wait, "attempt", attempt)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// hold returns how long calls to key must wait.
func (t *retrier) hold(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return max(t.limited[key].Sub(t.clock.Now()), 0)
}

func (t *retrier) limit(key string, wait time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if until := t.clock.Now().Add(wait); until.After(t.limited[key]) {
		t.limited[key] = until
	}
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date. Slack
// sends whole seconds; 0 still waits a second, as slack-go's own retries do.
func retryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(h, 64); err == nil && s >= 0 {
		return max(time.Duration(s*float64(time.Second)), time.Second), true
	}
	if at, err := http.ParseTime(h); err == nil {
		return max(at.Sub(now), time.Second), true
	}
	return 0, false
}
