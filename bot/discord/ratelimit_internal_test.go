package discord

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

func TestRouteKeepsTheTopLevelResource(t *testing.T) {
	for path, want := range map[string]string{
		"/api/v9/channels/1311000000000000200/messages":                             "POST /channels/1311000000000000200/messages",
		"/api/v9/channels/1311000000000000200/messages/1311960000000000001":         "POST /channels/1311000000000000200/messages/:id",
		"/api/v9/webhooks/1311000000000000001/tok-en/messages/@original":            "POST /webhooks/1311000000000000001/tok-en/messages/@original",
		"/api/v9/interactions/1311950000000000001/tok/callback":                     "POST /interactions/1311950000000000001/tok/callback",
		"/api/v9/applications/1311000000000000001/guilds/1311000000000100/commands": "POST /applications/:id/guilds/:id/commands",
	} {
		r, err := http.NewRequest(http.MethodPost, "https://discord.com"+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := route(r); got != want {
			t.Errorf("route(%s) = %q, want %q", path, got, want)
		}
	}
}

// roundTripper answers requests with a function.
type roundTripper func(*http.Request) *http.Response

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r), nil }

// A global 429 holds every route until its retry_after has passed.
func TestGlobalRateLimitHoldsEveryRoute(t *testing.T) {
	clock := clockwork.NewFakeClock()
	var mu sync.Mutex
	var sent []time.Time
	global := true
	l := newLimiter(roundTripper(func(r *http.Request) *http.Response {
		mu.Lock()
		defer mu.Unlock()
		sent = append(sent, clock.Now())
		if global {
			global = false
			h := http.Header{"X-Ratelimit-Global": {"true"}, "X-Ratelimit-Scope": {"global"}, "Retry-After": {"2"}}
			return &http.Response{StatusCode: http.StatusTooManyRequests, Header: h,
				Body: io.NopCloser(strings.NewReader(`{"message":"You are being rate limited.","retry_after":1.5,"global":true}`))}
		}
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`{}`))}
	}), clock, slog.New(slog.DiscardHandler), 0)
	do := func(path string) <-chan error {
		done := make(chan error, 1)
		go func() {
			req, _ := http.NewRequest(http.MethodGet, "https://discord.com/api/v9"+path, nil)
			resp, err := l.RoundTrip(req)
			if err == nil {
				resp.Body.Close()
				if resp.Header.Get("X-RateLimit-Global") != "" {
					t.Error("the limiter handed the rate-limit headers on to discordgo")
				}
			}
			done <- err
		}()
		return done
	}
	first := do("/channels/1/messages")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := clock.BlockUntilContext(ctx, 1); err != nil { // the first call waits out the global limit
		t.Fatal(err)
	}
	other := do("/guilds/2/channels")
	if err := clock.BlockUntilContext(ctx, 2); err != nil { // and so does a call to another route
		t.Fatal(err)
	}
	clock.Advance(1500 * time.Millisecond)
	for _, done := range []<-chan error{first, other} {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(sent) != 3 || sent[1].Sub(sent[0]) < 1500*time.Millisecond || sent[2].Sub(sent[0]) < 1500*time.Millisecond {
		t.Fatalf("calls sent at %v, want the two after the global 429 1.5 s later", sent)
	}
}
