package inbound_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot"
)

// chat is a staff channel as unkind as Slack's: about one post a second
// with a short burst, then 429 with Retry-After in whole seconds; posts
// sent before a Retry-After has passed are refused again (and counted, so
// tests can check they never happen). It can also be down (a plain
// error, as a 5xx or a dropped connection gives), refuse one message for
// good (Slack's invalid_blocks), or hold a post until released. Its time
// is the test's fake clock.
type chat struct {
	clock *clockwork.FakeClock
	burst float64 // posts allowed at once; refilled one per second

	mu       sync.Mutex
	tokens   float64
	filled   time.Time
	until    time.Time // no post before this: a Retry-After is running
	early    int       // posts that came before a Retry-After had passed
	down     int       // the next down posts fail with a plain error
	throttle time.Duration
	refuse   func(bot.Message) bool
	hold     chan struct{} // when set, each post waits for it (or its ctx)
	posts    []relayed
	attempts int
	tried    chan struct{} // one signal per attempt, whatever its outcome
	entered  chan struct{} // one signal per post that starts to hold
}

func newChat(clock *clockwork.FakeClock, burst int) *chat {
	return &chat{clock: clock, burst: float64(burst), tokens: float64(burst), filled: clock.Now(), tried: make(chan struct{}, 1000), entered: make(chan struct{}, 10)}
}

// limited is the chat's 429: an error with the Retry-After it asked for,
// as a Staff adapter hands it to inbound.
type limited struct{ after time.Duration }

func (e limited) Error() string             { return fmt.Sprintf("429 ratelimited, Retry-After %v", e.after) }
func (e limited) RetryAfter() time.Duration { return e.after }

func (c *chat) Platform() string { return "test" }

func (c *chat) Relay(ctx context.Context, thread string, m bot.Message) (string, error) {
	defer func() { // counted once its outcome is recorded
		c.mu.Lock()
		c.attempts++
		c.mu.Unlock()
		c.tried <- struct{}{}
	}()
	c.mu.Lock()
	hold := c.hold
	c.mu.Unlock()
	if hold != nil {
		c.entered <- struct{}{}
		select {
		case <-hold:
		case <-ctx.Done():
		}
	}
	if err := ctx.Err(); err != nil {
		return "", err // as an HTTP client gives up on a cancelled request
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock.Now()
	c.tokens = math.Min(c.burst, c.tokens+now.Sub(c.filled).Seconds())
	c.filled = now
	switch {
	case now.Before(c.until):
		c.early++
		return "", limited{c.until.Sub(now).Round(time.Second)}
	case c.throttle > 0:
		c.until, c.throttle = now.Add(c.throttle), 0
		return "", limited{c.until.Sub(now)}
	case c.down > 0:
		c.down--
		return "", errors.New("503 Service Unavailable")
	case c.refuse != nil && c.refuse(m):
		return "", errors.New("invalid_blocks")
	case c.tokens < 1:
		wait := time.Duration(math.Ceil(1-c.tokens)) * time.Second
		c.until = now.Add(wait)
		return "", limited{wait}
	}
	c.tokens--
	c.posts = append(c.posts, relayed{thread: thread, msg: m})
	if thread == "" {
		thread = fmt.Sprintf("t%d", len(c.posts))
	}
	return thread, nil
}

func (c *chat) all() []relayed {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]relayed(nil), c.posts...)
}

func (c *chat) tries() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.attempts
}

func (c *chat) set(f func(c *chat)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(c)
}

// waitTries waits, at most 10 s, until the chat was tried n times in all.
func (c *chat) waitTries(t *testing.T, n int) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for c.tries() < n {
		select {
		case <-c.tried:
		case <-timeout:
			t.Fatalf("the chat was tried %d times, want %d", c.tries(), n)
		}
	}
}

// waitEntered waits, at most 10 s, until a post holds.
func (c *chat) waitEntered(t *testing.T) {
	t.Helper()
	select {
	case <-c.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("no post started within 10 s")
	}
}

// texts returns the bodies shown, in order, with the thread of each.
func (c *chat) texts() []string {
	var out []string
	for _, p := range c.all() {
		out = append(out, strings.TrimPrefix(p.msg.Text, "> ")+"@"+p.thread)
	}
	return out
}
