package discord_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/jonboulle/clockwork"

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
// out retry_after and edits again, and the summary is shown once.
func TestDiscordFinalProgressEditIsRetried(t *testing.T) {
	c := newChat(t, bottest.Setup{Admins: []string{"alice"}})
	c.Type(t, "alice", "numbers add +12065550101 50")
	c.WaitFor(t, "Added")
	c.Type(t, "alice", "add crew +12065550001 Ada")
	c.WaitFor(t, "to crew")
	c.fake.rateLimitNext("PATCH channels/messages", "finished", 1500*time.Millisecond)
	c.Type(t, "alice", "send crew Dinner is served")
	c.WaitFor(t, "waiting for approval")
	c.Click(t, "alice", "Approve")

	refused := c.fake.waitRefused(t, "PATCH channels/messages", "finished")
	waitAdvance(t, c.clock, 1500*time.Millisecond)
	c.WaitFor(t, "finished")
	c.core.Router.Close() // the watcher is done: nothing more will be shown

	all, _ := c.fake.since(0)
	var finals []shown
	for _, s := range all {
		if strings.Contains(s.text, "finished") {
			finals = append(finals, s)
		}
	}
	if len(finals) != 1 || finals[0].kind != "edit" || !strings.Contains(finals[0].text, "Sent 1") {
		t.Fatalf("the summary was shown %d times: %+v", len(finals), finals)
	}
	if waited := finals[0].at.Sub(refused.at); waited < 1500*time.Millisecond {
		t.Fatalf("edited again %s after a retry_after of 1.5s", waited)
	}
}

// A burst of posts in one channel is paced by the limits Discord reports
// (5 per 5 s per channel): every post lands once, in order, and Discord
// never has to refuse one (429s count towards Cloudflare bans).
func TestDiscordPostsKeepToTheChannelLimit(t *testing.T) {
	c := newChat(t, bottest.Setup{})
	conv := c.adapter.Channel(staffID)
	const n = 12
	from := c.fake.count()
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
	posts, _ := c.fake.since(from)
	if len(posts) != n {
		t.Fatalf("%d posts landed, want %d", len(posts), n)
	}
	for i, s := range posts {
		if want := fmt.Sprintf("relay %d", i); s.kind != "post" || s.text != want {
			t.Fatalf("post %d is %s %q, want %q", i, s.kind, s.text, want)
		}
		if i >= 5 && s.at.Sub(posts[i-5].at) < 5*time.Second {
			t.Fatalf("posts %d and %d came %s apart: more than 5 in 5 s", i-5, i, s.at.Sub(posts[i-5].at))
		}
	}
	if refused, _ := c.fake.refusals(); len(refused) > 0 {
		t.Fatalf("Discord refused %d posts: %+v", len(refused), refused)
	}
}

// A retry_after longer than the caller can wait fails the call at once,
// with discordgo's rate-limit error, instead of waiting into the deadline.
func TestDiscordRateLimitLongerThanTheCallerWaits(t *testing.T) {
	c := newChat(t, bottest.Setup{})
	c.fake.rateLimitNext("POST channels/messages", "later", 30*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.adapter.Channel(staffID).Post(ctx, bot.Message{Text: "later"})
	var rl *discordgo.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter != 30*time.Second {
		t.Fatalf("Post = %v, want discordgo's rate-limit error with a retry_after of 30s", err)
	}
	if ctx.Err() != nil {
		t.Fatal("Post waited into its deadline")
	}
	refused, _ := c.fake.refusals()
	if len(refused) != 1 || refused[0].status != http.StatusTooManyRequests {
		t.Fatalf("refusals %+v, want the one 429", refused)
	}
}
