package inbound_test

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
	"time"

	"smsbot/bot"
	"smsbot/inbound"
)

// logBuffer is a concurrency-safe log sink.
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

// brokenStaff fails every relay with err.
type brokenStaff struct{ err error }

func (s brokenStaff) Platform() string { return "test" }

func (s brokenStaff) Relay(context.Context, string, bot.Message) (string, error) { return "", s.err }

// logged is a service logging at level into a buffer, with staff, and its
// webhooks on a server of their own (public URL: the server's).
func logged(t *testing.T, b *bundle, level slog.Level, staff inbound.Staff) (*logBuffer, *httptest.Server) {
	t.Helper()
	logs := &logBuffer{}
	svc, err := inbound.New(inbound.Config{Store: b.store, Staff: staff, AutoReply: "Thanks!", Clock: b.clock,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: level}))})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	inbound.NewWebhooks(svc, authToken, srv.URL).Routes(mux)
	return logs, srv
}

// postTo posts a form signed for srv (with sig "" for a good signature).
func postTo(t *testing.T, srv *httptest.Server, path string, form url.Values, sig string) int {
	t.Helper()
	if sig == "" {
		sig = sign(authToken, srv.URL+path, form)
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// At info level the log names no contact's number, no text's body and no
// token, even when the chat's error carries a URL with a token and the
// number: those are at debug level only.
func TestInfoLogsCarryNoNumberBodyOrToken(t *testing.T) {
	const (
		ada, grace = "+12065550001", "+447400123456"
		body       = "Meet me at gate 7, my code is PURPLE-OTTER"
		token      = "tok_SECRET_interaction_5f2a"
	)
	chatErr := fmt.Errorf("post for %s: %w", ada, &url.Error{Op: "Post",
		URL: "https://discord.com/api/v10/webhooks/1234/" + token + "?wait=true", Err: errors.New("connection reset by peer")})
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		b := setup(t)
		logs, srv := logged(t, b, level, brokenStaff{err: chatErr})
		for i, tt := range []struct{ from, body string }{{ada, body}, {grace, "STOP"}, {ada, "HELP"}} {
			if code := postTo(t, srv, "/twilio/inbound", incoming(t, tt.from, sid(i+1), tt.body), ""); code != http.StatusOK {
				t.Fatalf("text %d answered %d", i+1, code)
			}
		}
		got := logs.String()
		if !strings.Contains(got, "relaying a text to staff failed") || !strings.Contains(got, "text received") {
			t.Fatalf("level %v: the log lacks the relay failure or the text:\n%s", level, got)
		}
		secrets := []string{ada, strings.TrimPrefix(ada, "+"), grace, strings.TrimPrefix(grace, "+"), body, "PURPLE-OTTER", token}
		for _, line := range strings.Split(got, "\n") {
			if level == slog.LevelDebug && strings.Contains(line, "level=DEBUG") {
				continue
			}
			for _, s := range secrets {
				if strings.Contains(line, s) {
					t.Errorf("level %v: a line above debug carries %q:\n%s", level, s, line)
				}
			}
		}
		if level == slog.LevelDebug && !strings.Contains(got, token) {
			t.Errorf("the debug log lacks the whole error:\n%s", got)
		}
	}
}

// A flood of badly signed webhooks is logged once per 10 s, with the
// count of those not logged.
func TestBadSignatureLogIsRateLimited(t *testing.T) {
	b := setup(t)
	logs, srv := logged(t, b, slog.LevelInfo, nil)
	form := incoming(t, "+12065550001", sid(1), "hi")
	bad := func(n int) {
		t.Helper()
		for range n {
			if code := postTo(t, srv, "/twilio/inbound", form, "forged"); code != http.StatusForbidden {
				t.Fatalf("forged webhook answered %d, want 403", code)
			}
		}
	}
	lines := func() []string {
		var out []string
		for _, l := range strings.Split(logs.String(), "\n") {
			if strings.Contains(l, "bad signature") {
				out = append(out, l)
			}
		}
		return out
	}
	bad(50)
	if got := lines(); len(got) != 1 {
		t.Fatalf("50 forged webhooks logged %d lines, want 1:\n%s", len(got), strings.Join(got, "\n"))
	}
	b.clock.Advance(9 * time.Second)
	bad(5)
	if got := lines(); len(got) != 1 {
		t.Fatalf("after 9 s, %d lines, want still 1", len(got))
	}
	b.clock.Advance(time.Second)
	bad(1)
	got := lines()
	if len(got) != 2 || !strings.Contains(got[1], "not_logged_since_last=54") {
		t.Fatalf("after 10 s, lines:\n%s\nwant a second one counting 54 not logged", strings.Join(got, "\n"))
	}
}
