package broadcast_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"smsbot/broadcast"
)

// lockedBuffer collects log lines from the engine's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Split(strings.TrimSpace(l.buf.String()), "\n")
}

// leakyLookup fails its first lookup the way net/http does, with the
// list's URL, which names the recipient.
type leakyLookup struct {
	broadcast.Provider
	failed atomic.Bool
}

func (f *leakyLookup) Lookup(ctx context.Context, from broadcast.Sender, to string, since time.Time) ([]broadcast.Sent, error) {
	if !f.failed.Swap(true) {
		return nil, &broadcast.SendError{Class: broadcast.Retryable, Message: "connection reset", Err: &url.Error{
			Op: "Get", URL: "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?To=" + url.QueryEscape(to), Err: errors.New("connection reset by peer")}}
	}
	return f.Provider.Lookup(ctx, from, to, since)
}

// TestLogsAtInfoCarryNoNumbers: Twilio's 21211 message names the number,
// and a lookup's URL holds it; at info level and above the log says what
// happened by class and code, and the rest is at debug.
func TestLogsAtInfoCarryNoNumbers(t *testing.T) {
	var logs lockedBuffer
	const body = "Doors open at 7"
	b := setup(t, testOpts{
		fault: func(m broadcast.Outgoing, attempt int) (error, bool) {
			switch {
			case m.To == "+12065550001":
				return &broadcast.SendError{Class: broadcast.Permanent, Code: "21211", Message: "The 'To' number +12065550001 is not a valid phone number."}, false
			case m.To == "+12065550002" && attempt == 1:
				return &broadcast.SendError{Class: broadcast.Ambiguous, Message: "502 Bad Gateway"}, true
			}
			return nil, false
		},
		engine: func(c *broadcast.Config) {
			c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c.Provider = &leakyLookup{Provider: c.Provider}
		},
	})
	b.addSenders(t, 100, "+12065550101")
	b.addContacts(t, "crew", 3, 0)
	_, ch := b.send(t, "crew", body)
	if final := waitDone(t, ch); final.Counts.Failed != 1 || final.Counts.Done() != 2 {
		t.Fatalf("final counts %+v", final.Counts)
	}
	var debug []string
	for _, line := range logs.lines() {
		if strings.Contains(line, "level=DEBUG") {
			debug = append(debug, line)
			continue
		}
		for _, secret := range []string{"2065550001", "2065550002", body} {
			if strings.Contains(line, secret) {
				t.Errorf("logged above debug with %q: %s", secret, line)
			}
		}
	}
	all := strings.Join(logs.lines(), "\n")
	for _, want := range []string{
		`level=INFO msg="text refused by provider" component=engine`, "class=permanent code=21211",
		`level=WARN msg="reconcile: lookup failed, will retry"`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the log lacks %q:\n%s", want, all)
		}
	}
	if d := strings.Join(debug, "\n"); !strings.Contains(d, "+12065550001 is not a valid phone number") || !strings.Contains(d, "To=%2B12065550002") {
		t.Errorf("the details are not at debug:\n%s", d)
	}
}
