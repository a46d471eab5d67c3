package main

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"smsbot/bot"
)

// pingTimeout bounds /healthz's ping of the database.
const pingTimeout = 2 * time.Second

// health is GET /healthz's answer.
type health struct {
	// Status is "ok", or "unavailable" (with 503) when the database does
	// not answer.
	Status string `json:"status"`
	// Database is "ok" or "unreachable".
	Database string `json:"database"`
	// Ready is what GET /readyz says.
	Ready bool `json:"ready"`
	// Owner names this replica in the lease table.
	Owner string `json:"owner"`
	// Renewing is false while this replica's lease renewals fail.
	Renewing bool `json:"renewing"`
	// Leases are the leases this replica holds, by name.
	Leases []heldLease `json:"leases"`
}

// heldLease is a lease in /healthz: its name and fencing token.
type heldLease struct {
	Name  string `json:"name"`
	Token int64  `json:"token"`
}

// healthRoutes puts GET /healthz and GET /readyz on mux. /healthz pings
// the database (503 when it does not answer within pingTimeout) and lists
// the leases this replica holds; /readyz is 200 while a.ready is set (the
// store open, the engine started, the HTTP server listening) and 503
// before and during shutdown, for a load balancer to route by.
func (a *app) healthRoutes(mux *http.ServeMux) {
	failures := &bot.LogLimit{Every: time.Minute}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		h := health{Status: "ok", Database: "ok", Ready: a.ready.Load(), Owner: a.leases.Owner(),
			Renewing: a.leases.Stats().Renewing, Leases: []heldLease{}}
		for _, l := range a.leases.Held() {
			h.Leases = append(h.Leases, heldLease{Name: l.Name, Token: l.Token})
		}
		code := http.StatusOK
		ctx, cancel := context.WithTimeout(r.Context(), pingTimeout)
		defer cancel()
		if err := a.store.DB().PingContext(ctx); err != nil {
			h.Status, h.Database, code = "unavailable", "unreachable", http.StatusServiceUnavailable
			if ok, held := failures.Allow(time.Now()); ok {
				a.log.Warn("/healthz: the database does not answer", "err", bot.Redact(err), "held_back", held)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(h)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if !a.ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("not ready\n"))
			return
		}
		w.Write([]byte("ready\n"))
	})
}
