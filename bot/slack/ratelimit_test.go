package slack_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/slack-go/slack"

	"smsbot/bot"
	"smsbot/bot/bottest"
)

// waitAdvance waits until something waits on clock, then moves it on by d.
func waitAdvance(t *testing.T, clock *clockwork.FakeClock, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := clock.BlockUntilContext(ctx, 1); err != nil {
		t.Fatalf("nothing waited on the clock: %v", err)
	}
	clock.Advance(d)
}

// advanceUntil moves clock on by step whenever something waits on it,
// until done delivers, and returns what it delivered.
func advanceUntil(t *testing.T, clock *clockwork.FakeClock, step time.Duration, done <-chan error) error {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		ctx, cancel := context.WithCancel(context.Background())
		waiting := make(chan error, 1)
		go func() { waiting <- clock.BlockUntilContext(ctx, 1) }()
		select {
		case err := <-done:
			cancel()
			return err
		case err := <-waiting:
			cancel()
			if err == nil {
				clock.Advance(step)
			}
		case <-timeout:
			cancel()
			t.Fatal("the calls never finished")
		}
	}
}

// The summary edit of a broadcast is refused with 429: the adapter waits
// out Retry-After and edits again, and the summary is shown once.
func TestSlackFinalProgressEditIsRetried(t *testing.T) {
	c := newHTTPChatWith(t, bottest.Setup{Admins: []string{"U0ALICE"}}, clockwork.NewRealClock())
	c.Type(t, "U0ALICE", "numbers add +12065550101 50")
	c.WaitFor(t, "Added")
	c.Type(t, "U0ALICE", "add crew +12065550001 Ada")
	c.WaitFor(t, "to crew")
	c.fake.rateLimitNext("chat.update", "finished", 3*time.Second)
	c.Type(t, "U0ALICE", "send crew Dinner is served")
	c.WaitFor(t, "waiting for approval")
	c.Click(t, "U0ALICE", "Approve")

	refused := c.fake.waitRefused(t, "chat.update", "finished")
	waitAdvance(t, c.clock, 3*time.Second)
	c.WaitFor(t, "finished")
	c.router.Close() // the watcher is done: nothing more will be shown

	all, _ := c.fake.since(0)
	var finals []shown
	for _, s := range all {
		if strings.Contains(s.text, "finished") {
			finals = append(finals, s)
		}
	}
	if len(finals) != 1 || finals[0].kind != "update" || !strings.Contains(finals[0].text, "Sent 1") {
		t.Fatalf("the summary was shown %d times: %+v", len(finals), finals)
	}
	if waited := finals[0].at.Sub(refused.at); waited < 3*time.Second {
		t.Fatalf("edited again %s after a Retry-After of 3s", waited)
	}
}

// A burst of posts in one channel goes over Slack's limit of about one a
// second: each refused post waits out its Retry-After and lands once, in
// order, without being refused again.
func TestSlackPostsWaitOutTheChannelLimit(t *testing.T) {
	c := newHTTPChatWith(t, bottest.Setup{}, clockwork.NewRealClock())
	conv := c.adapter.Channel(staffID)
	const n = 8
	done := make(chan error, 1)
	go func() {
		for i := range n {
			if _, err := conv.Post(context.Background(), bot.Message{Text: fmt.Sprintf("relay %d", i)}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	if err := advanceUntil(t, c.clock, time.Second, done); err != nil {
		t.Fatal(err)
	}
	all, _ := c.fake.since(0)
	landed := map[string]time.Time{}
	for i, s := range all {
		if want := fmt.Sprintf("relay %d", i); s.kind != "post" || s.text != want {
			t.Fatalf("post %d is %s %q, want %q", i, s.kind, s.text, want)
		}
		landed[s.text] = s.at
	}
	if len(all) != n {
		t.Fatalf("%d posts landed, want %d", len(all), n)
	}
	refused, _ := c.fake.refusals(0)
	seen := map[string]bool{}
	for _, r := range refused {
		if seen[r.text] {
			t.Errorf("%q was refused twice: the adapter retried before Retry-After", r.text)
		}
		seen[r.text] = true
		if landed[r.text].Sub(r.at) < r.after {
			t.Errorf("%q was posted again %s after a Retry-After of %s", r.text, landed[r.text].Sub(r.at), r.after)
		}
	}
	if len(refused) == 0 {
		t.Fatal("Slack's fake refused nothing: the burst is within its limit, so this test shows nothing")
	}
}

// A Retry-After longer than the caller can wait fails the call at once,
// with Slack's rate-limit error, instead of waiting into the deadline.
func TestSlackRateLimitLongerThanTheCallerWaits(t *testing.T) {
	c := newHTTPChatWith(t, bottest.Setup{}, clockwork.NewRealClock())
	c.fake.rateLimitNext("chat.postMessage", "later", 30*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.adapter.Channel(staffID).Post(ctx, bot.Message{Text: "later"})
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 30*time.Second {
		t.Fatalf("Post = %v, want Slack's rate-limit error with a Retry-After of 30s", err)
	}
	if ctx.Err() != nil {
		t.Fatal("Post waited into its deadline")
	}
}
