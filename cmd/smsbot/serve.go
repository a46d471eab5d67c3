package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// runServe runs the configured chat adapters, the HTTP server and the
// engine until ctx ends, then shuts down in order: stop taking requests,
// stop relaying and polling, finish the commands being handled, stop the
// engine (texts in flight finish; queued ones resume at the next start).
func (m *Main) runServe(ctx context.Context) error {
	c := m.Config
	if c.chat() && len(c.Admins) == 0 {
		return errors.New("SMSBOT_ADMINS is empty: set it to the chat user IDs allowed to send (for example U012ABCDEF), so that not everyone in the workspace can text your attendees")
	}
	a, err := m.open(ctx)
	if err != nil {
		return err
	}
	defer a.close()

	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.metrics.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
	})
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 4) // HTTP server, Slack socket, Discord gateway

	staff, notices, closeChat, err := m.startChat(ctx, runCtx, a, mux, errc)
	if err != nil {
		return err
	}
	defer closeChat()
	if !c.chat() {
		a.log.Warn("no chat platform configured: set SLACK_BOT_TOKEN or DISCORD_BOT_TOKEN, or run smsbot console")
	}

	if err := m.startInbound(runCtx, a, staff); err != nil {
		return err
	}
	if a.webhooks != nil {
		a.webhooks.Routes(mux)
	}
	if err := a.sched.Start(ctx, notices); err != nil {
		return err
	}
	if staff == nil {
		a.log.Warn("no staff channel: incoming texts are stored but not relayed (set SLACK_STAFF_CHANNEL or DISCORD_STAFF_CHANNEL)")
	}

	ln, err := net.Listen("tcp", c.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on SMSBOT_HTTP_ADDR %s: %w", c.HTTPAddr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { errc <- srv.Serve(ln) }()
	a.log.Info("serving", "http_addr", ln.Addr().String(), "carrier", a.carrier())
	if m.Listening != nil {
		m.Listening(ln.Addr().String())
	}

	select {
	case <-ctx.Done():
	case err := <-errc:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	a.log.Info("shutting down; unfinished broadcasts resume at next start")
	cancel()
	shutdownCtx, done := context.WithTimeout(context.Background(), 15*time.Second)
	defer done()
	err = srv.Shutdown(shutdownCtx)
	// Webhooks have answered; relays and polling end before the chat
	// adapters close (deferred), so no post to staff is cut off by them.
	a.stopInbound()
	return err
}
