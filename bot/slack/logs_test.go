package slack_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// logSink keeps the log lines of a test, at every level, and passes them
// on to t.Log.
type logSink struct {
	t testing.TB

	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func newLogSink(t testing.TB) *logSink { return &logSink{t: t, changed: make(chan struct{})} }

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.t.Log(strings.TrimSuffix(string(p), "\n"))
	l.buf.Write(p)
	close(l.changed)
	l.changed = make(chan struct{})
	return len(p), nil
}

func (l *logSink) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// text returns everything logged so far, and a channel closed at the next
// line.
func (l *logSink) text() (string, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String(), l.changed
}

// lines returns the lines logged so far that contain s.
func (l *logSink) lines(s string) []string {
	all, _ := l.text()
	var out []string
	for _, line := range strings.Split(all, "\n") {
		if strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return out
}

// waitFor waits until a line containing s has been logged, and returns it.
func (l *logSink) waitFor(t *testing.T, s string) string {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		if lines := l.lines(s); len(lines) > 0 {
			return lines[0]
		}
		_, changed := l.text()
		if lines := l.lines(s); len(lines) > 0 {
			return lines[0]
		}
		select {
		case <-changed:
		case <-timeout:
			all, _ := l.text()
			t.Fatalf("nothing logged %q; logs:\n%s", s, all)
		}
	}
}
