package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"smsbot/lease"
	"smsbot/store"
)

// TestHealthRoutesUnready checks the answers a running serve never gives
// in the other tests: /readyz before the server is ready (and during
// shutdown), and /healthz when the database does not answer.
func TestHealthRoutesUnready(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "smsbot.db")})
	if err != nil {
		t.Fatal(err)
	}
	k, err := lease.New(lease.Config{Store: st, Owner: "host/1/abcd"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.TryAcquire(ctx, "poller"); err != nil {
		t.Fatal(err)
	}
	a := &app{store: st, leases: k, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	mux := http.NewServeMux()
	a.healthRoutes(mux)
	get := func(path string) (int, []byte) {
		t.Helper()
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code, rec.Body.Bytes()
	}
	decode := func(b []byte) health {
		t.Helper()
		var h health
		if err := json.Unmarshal(b, &h); err != nil {
			t.Fatalf("/healthz %s: %v", b, err)
		}
		return h
	}

	if code, body := get("/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz before ready = %d %s, want 503", code, body)
	}
	code, body := get("/healthz")
	if h := decode(body); code != http.StatusOK || h.Status != "ok" || h.Ready || h.Owner != "host/1/abcd" ||
		len(h.Leases) != 1 || h.Leases[0].Name != "poller" || h.Leases[0].Token != 1 {
		t.Errorf("/healthz before ready = %d %s", code, body)
	}
	a.ready.Store(true)
	if code, body := get("/readyz"); code != http.StatusOK {
		t.Errorf("/readyz when ready = %d %s, want 200", code, body)
	}
	a.ready.Store(false) // the shutdown begins
	if code, body := get("/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz while shutting down = %d %s, want 503", code, body)
	}

	st.Close() // the database goes away
	code, body = get("/healthz")
	if h := decode(body); code != http.StatusServiceUnavailable || h.Status != "unavailable" || h.Database != "unreachable" {
		t.Errorf("/healthz without the database = %d %s, want 503 unavailable, unreachable", code, body)
	}
}
