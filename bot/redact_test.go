package bot_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"smsbot/bot"
	"smsbot/broadcast"
)

// Secrets as the platforms put them in URLs.
const (
	discordToken = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5OkRJU0NPUkRfVE9LRU4"
	slackSecret  = "SLACKRESPONSESECRET42"
)

var (
	discordFollowup = "https://discord.com/api/v10/webhooks/1100/" + discordToken + "/messages/@original"
	slackResponse   = "https://hooks.slack.com/actions/T0001/1234567890/" + slackSecret
)

// refusedURL makes a real *url.Error: net/http's answer to a request to a
// server that is gone, at a URL holding the secrets.
func refusedURL(t *testing.T) error {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close()
	resp, err := http.Post(addr+"/api/v10/interactions/1/"+discordToken+"/callback?secret="+slackSecret, "application/json", strings.NewReader("{}"))
	if err == nil {
		resp.Body.Close()
		t.Fatal("a request to a closed server succeeded")
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Fatalf("%T is not a *url.Error", err)
	}
	return err
}

func TestRedact(t *testing.T) {
	real := refusedURL(t)
	tests := []struct {
		name string
		err  error
		want []string // in the redacted message
	}{
		{"url.Error from net/http", real, []string{`Post "http://127.0.0.1:`, `/…": dial tcp`}},
		{"url.Error, wrapped", fmt.Errorf("post answer: %w", &url.Error{Op: "Post", URL: discordFollowup, Err: errors.New("EOF")}),
			[]string{`post answer: Post "https://discord.com/…": EOF`}},
		{"joined", errors.Join(errors.New("first"), fmt.Errorf("respond: %w", &url.Error{Op: "Post", URL: slackResponse, Err: errors.New("timeout")})),
			[]string{"first\n", `respond: Post "https://hooks.slack.com/…": timeout`}},
		{"a URL in text", fmt.Errorf("slack answered 404 at %s (retry)", slackResponse), []string{"404 at https://hooks.slack.com/… (retry)"}},
		{"userinfo", errors.New("GET https://user:" + slackSecret + "@example.com failed"), []string{"GET https://example.com/… failed"}},
		{"phone numbers", broadcast.Errorf(broadcast.EINTERNAL, "texting +491701234567 from +12065550101: busy"), []string{"texting +49…67 from +12…01: busy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := bot.Redact(tt.err)
			msg := got.Error()
			for _, secret := range []string{discordToken, slackSecret, "491701234567", "2065550101"} {
				if strings.Contains(msg, secret) {
					t.Errorf("Redact(%q) = %q, still holds %q", tt.err, msg, secret)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("Redact(%q) = %q, want it to say %q", tt.err, msg, w)
				}
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("errors.Is(Redact(err), err) is false")
			}
		})
	}
	if code := broadcast.ErrorCode(bot.Redact(tests[len(tests)-1].err)); code != broadcast.EINTERNAL {
		t.Errorf("the redacted error's code is %q, want EINTERNAL", code)
	}
	if bot.Redact(nil) != nil {
		t.Error("Redact(nil) is not nil")
	}
	plain := errors.New("database is locked")
	if bot.Redact(plain) != plain {
		t.Error("Redact changed an error with nothing to cut")
	}
}

// logBuffer collects log output from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// leaky is a chat whose every call fails the way an adapter's does when
// the platform is unreachable: with the follow-up URL, token and all.
type leaky struct{ err error }

func (l leaky) Post(context.Context, bot.Message) (bot.Ref, error)             { return "", l.err }
func (l leaky) Update(context.Context, bot.Ref, bot.Message) error             { return l.err }
func (l leaky) Attach(context.Context, string, []byte, string) (string, error) { return "", l.err }

// TestLogsCarryNoTokens: every error the router logs (answers, clicks,
// progress edits, internal errors, thread replies) comes from an adapter
// whose calls fail with the platform's secret URLs; the log, at debug
// level, holds none of the secrets and no contact's number.
func TestLogsCarryNoTokens(t *testing.T) {
	var logs logBuffer
	b := setupWith(t, bot.Config{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	ctx := context.Background()
	b.do("console", "numbers add +12065550101 100")
	b.do("console", "add crew +491701234567 Anna")
	b.do("console", "send crew Dinner")
	res, err := b.store.AddMember(ctx, "crew", "+491701234567", "", "console")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.store.SetThread(ctx, res.Contact.ID, "slack", "T1"); err != nil {
		t.Fatal(err)
	}
	for _, conv := range []leaky{
		{refusedURL(t)},
		{fmt.Errorf("discord: %w", &url.Error{Op: "Post", URL: discordFollowup, Err: errors.New("EOF")})},
		{fmt.Errorf("slack: %w", &url.Error{Op: "Post", URL: slackResponse, Err: errors.New("i/o timeout")})},
	} {
		b.router.Command(ctx, bot.Invocation{User: "console", Text: "lists"}, conv)            // posting the answer fails
		b.router.Command(ctx, bot.Invocation{User: "console", Text: "export 1"}, conv)         // an internal error, then its answer
		b.router.Click(ctx, bot.Click{User: "console", Action: "pause:1", Message: "1"}, conv) // the error's answer
		b.router.ThreadReply(ctx, "slack", "T1", bot.Invocation{User: "console", Text: "8 seats left"}, conv)
	}
	b.router.Click(ctx, bot.Click{User: "console", Action: "approve:1", Message: "1"}, leaky{refusedURL(t)})
	if err := b.engine.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	b.router.Close() // the watcher's last edit fails too
	out := logs.String()
	for _, want := range []string{"posting answer failed", "command failed", "updating progress failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %q: the test did not reach it\n%s", want, out)
		}
	}
	for _, secret := range []string{discordToken, slackSecret, "491701234567"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds %q:\n%s", secret, out)
		}
	}
}
