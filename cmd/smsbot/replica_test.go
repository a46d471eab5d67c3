package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// replicaWait bounds every wait of the replica tests: for a start, a log
// line, a shutdown. A lease released at shutdown is taken by the next
// replica within holdRetry.
const replicaWait = 20 * time.Second

// replicaTimeout returns a channel that receives once replicaWait has passed.
func replicaTimeout() <-chan time.Time { return time.After(replicaWait) }

// inReplica is a `smsbot serve` running in process.
type inReplica struct {
	t      *testing.T
	base   string // http://host:port
	logs   *logWatch
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

// startReplica runs `smsbot serve` with env (SMSBOT_DB defaults to a new
// SQLite file, SMSBOT_HTTP_ADDR to 127.0.0.1:0) until stop or the end of
// the test, as startServe does, with its log watched.
func startReplica(t *testing.T, env map[string]string) *inReplica {
	t.Helper()
	full := map[string]string{"SMSBOT_DB": filepath.Join(t.TempDir(), "smsbot.db"), "SMSBOT_HTTP_ADDR": "127.0.0.1:0"}
	for k, v := range env {
		full[k] = v
	}
	r := &inReplica{t: t, logs: &logWatch{t: t}, done: make(chan error, 1)}
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, r.logs
	if err := m.ParseFlags([]string{"serve"}, func(k string) string { return full[k] }); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	m.Listening = func(a string) { addr <- a }
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- m.Run(ctx) }()
	t.Cleanup(r.stop)
	select {
	case a := <-addr:
		r.base = "http://" + a
	case err := <-r.done:
		r.done <- err
		t.Fatalf("serve ended at start: %v", err)
	case <-time.After(replicaWait):
		t.Fatal("serve did not listen")
	}
	return r
}

// stop shuts the replica down and waits for it, once.
func (r *inReplica) stop() {
	r.once.Do(func() {
		r.cancel()
		select {
		case err := <-r.done:
			if err != nil {
				r.t.Errorf("serve ended with %v", err)
			}
		case <-time.After(replicaWait):
			r.t.Error("serve did not shut down")
		}
	})
}

// health GETs /healthz.
func (r *inReplica) health() (int, health) {
	r.t.Helper()
	resp, err := http.Get(r.base + "/healthz")
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	var h health
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		r.t.Fatalf("/healthz: %v", err)
	}
	return resp.StatusCode, h
}

// holds reports whether the replica's /healthz lists the lease name, and
// its token.
func (r *inReplica) holds(name string) (bool, int64) {
	r.t.Helper()
	_, h := r.health()
	for _, l := range h.Leases {
		if l.Name == name {
			return true, l.Token
		}
	}
	return false, 0
}

// waitLog waits for a log line holding every one of parts.
func (r *inReplica) waitLog(parts ...string) {
	r.t.Helper()
	select {
	case <-r.logs.seen(parts...):
	case <-time.After(replicaWait):
		r.t.Fatalf("no log line with %q", parts)
	}
}

// logWatch passes log lines to the test's log and signals the lines
// waited for, including those written before the wait.
type logWatch struct {
	t       *testing.T
	mu      sync.Mutex
	lines   []string
	waiters []logWaiter
}

type logWaiter struct {
	parts []string
	ch    chan struct{}
}

func (w *logWatch) Write(p []byte) (int, error) {
	line := strings.TrimSpace(string(p))
	w.t.Log(line)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lines = append(w.lines, line)
	kept := w.waiters[:0]
	for _, wt := range w.waiters {
		if hasAll(line, wt.parts) {
			close(wt.ch)
		} else {
			kept = append(kept, wt)
		}
	}
	w.waiters = kept
	return len(p), nil
}

// seen returns a channel closed once a line holding every part is logged.
func (w *logWatch) seen(parts ...string) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch := make(chan struct{})
	for _, line := range w.lines {
		if hasAll(line, parts) {
			close(ch)
			return ch
		}
	}
	w.waiters = append(w.waiters, logWaiter{parts, ch})
	return ch
}

func hasAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
