package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"

	"smsbot/store/storetest"
)

// fakeGateway is Discord's REST API as far as Run uses it (registering
// /sms, the gateway's URL) and its gateway: Hello, Identify, READY,
// heartbeats acknowledged. Like Discord, it takes any number of sessions
// on one bot token, each of which would receive every event; it counts
// the sessions open at once.
type fakeGateway struct {
	srv   *httptest.Server
	token string

	mu       sync.Mutex
	open     int // sessions identified and not closed
	maxOpen  int
	sessions int           // sessions identified, ever
	changed  chan struct{} // closed and replaced when open changes
}

func newFakeGateway(t *testing.T, token string) *fakeGateway {
	f := &fakeGateway{token: token, changed: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /api/v9/applications/{app}/commands", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bot "+token {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"message": "401: Unauthorized", "code": 0}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[]`))
	})
	mux.HandleFunc("GET /api/v9/gateway", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/gateway/"})
	})
	mux.HandleFunc("GET /gateway/", f.session)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// session is one gateway connection.
func (f *fakeGateway) session(w http.ResponseWriter, r *http.Request) {
	c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer c.Close()
	if c.WriteJSON(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 41250}}) != nil {
		return
	}
	var identify struct {
		Op int `json:"op"`
		D  struct {
			Token string `json:"token"`
		} `json:"d"`
	}
	if c.ReadJSON(&identify) != nil || identify.Op != 2 || identify.D.Token != "Bot "+f.token {
		c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."))
		return
	}
	f.add(1)
	defer f.add(-1)
	ready := map[string]any{"op": 0, "s": 1, "t": "READY", "d": map[string]any{
		"v": 9, "session_id": "fake-session", "user": map[string]any{"id": "100", "username": "smsbot"}, "guilds": []any{},
	}}
	if c.WriteJSON(ready) != nil {
		return
	}
	for {
		var p struct {
			Op int `json:"op"`
		}
		if c.ReadJSON(&p) != nil { // a close frame, or the connection gone
			return
		}
		if p.Op == 1 && c.WriteJSON(map[string]any{"op": 11}) != nil {
			return
		}
	}
}

func (f *fakeGateway) add(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.open += n
	if n > 0 {
		f.sessions++
	}
	f.maxOpen = max(f.maxOpen, f.open)
	close(f.changed)
	f.changed = make(chan struct{})
}

// waitSessions waits until sessions have been identified in all, and
// returns the most ever open at once.
func (f *fakeGateway) waitSessions(t *testing.T, sessions int) int {
	t.Helper()
	deadline := replicaTimeout()
	for {
		f.mu.Lock()
		n, most, ch := f.sessions, f.maxOpen, f.changed
		f.mu.Unlock()
		if n >= sessions {
			return most
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("%d gateway sessions, want %d", n, sessions)
		}
	}
}

// TestReplicasShareTheDiscordGateway runs two replicas with Discord on one
// PostgreSQL schema: only the discord lease's holder opens the gateway,
// and when it shuts down (closing its session) the other opens it.
func TestReplicasShareTheDiscordGateway(t *testing.T) {
	dsn := storetest.Postgres(t)
	const token = "discord-test-token"
	gw := newFakeGateway(t, token)
	env := map[string]string{
		"SMSBOT_DB": dsn, "SMSBOT_ADMINS": "100000000000000001",
		"DISCORD_BOT_TOKEN": token, "DISCORD_APP_ID": "200000000000000002", "DISCORD_API_URL": gw.srv.URL,
	}
	a := startReplica(t, env)
	b := startReplica(t, env)
	if most := gw.waitSessions(t, 1); most != 1 {
		t.Fatalf("%d gateway sessions open at once, want 1", most)
	}
	ha, _ := a.holds(discordLease)
	hb, _ := b.holds(discordLease)
	if ha == hb {
		t.Fatalf("discord lease held by a: %v, b: %v; want exactly one", ha, hb)
	}
	holder, other := a, b
	if hb {
		holder, other = b, a
	}
	holder.stop()
	if most := gw.waitSessions(t, 2); most != 1 {
		t.Fatalf("%d gateway sessions open at once, want 1", most)
	}
	if ok, _ := other.holds(discordLease); !ok {
		t.Fatal("the other replica opened the gateway without the discord lease")
	}
}
