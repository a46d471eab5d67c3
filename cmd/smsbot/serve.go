package main

import (
	"context"
	"errors"
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
	a.healthRoutes(mux) // GET /healthz and /readyz (health.go)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 4) // HTTP servers, Slack socket, Discord gateway

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

	ln, err := listen("SMSBOT_HTTP_ADDR", c.HTTPAddr, c.HTTPMaxConns, a.log)
	if err != nil {
		return err
	}
	srv := newHTTPServer(c, mux, a.log)
	servers := []*http.Server{srv}
	msrv, mln, err := m.serveMetrics(a, mux, ln)
	if err != nil {
		ln.Close()
		return err
	}
	if msrv != nil {
		servers = append(servers, msrv)
		go func() { errc <- msrv.Serve(mln) }()
	}
	go func() { errc <- srv.Serve(ln) }()
	a.ready.Store(true) // GET /readyz: 200 from now until the shutdown begins
	a.log.Info("serving", "http_addr", ln.Addr().String(), "carrier", a.carrier(), "owner", a.leases.Owner())
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
	a.ready.Store(false)
	a.log.Info("shutting down; unfinished broadcasts resume at next start")
	cancel()
	shutdownCtx, done := context.WithTimeout(context.Background(), 15*time.Second)
	defer done()
	for _, s := range servers {
		err = errors.Join(err, s.Shutdown(shutdownCtx))
	}
	// Webhooks have answered; relays and polling end before the chat
	// adapters close (deferred), so no post to staff is cut off by them.
	a.stopInbound()
	return err
}

// serveMetrics puts GET /metrics where SMSBOT_METRICS_ADDR and
// SMSBOT_METRICS_TOKEN say: on a server of its own when the address is
// set (returned, with its listener, for the caller to run), else on mux;
// behind the bearer token when one is set. Without either, /metrics is on
// mux only when ln is a loopback address: an open /metrics on a public
// address tells anyone how many texts go out.
func (m *Main) serveMetrics(a *app, mux *http.ServeMux, ln net.Listener) (*http.Server, net.Listener, error) {
	c := m.Config
	h := a.metrics.Handler()
	if c.MetricsToken != "" {
		h = requireBearer(c.MetricsToken, h)
	}
	switch {
	case c.MetricsAddr != "":
		mln, err := listen("SMSBOT_METRICS_ADDR", c.MetricsAddr, c.HTTPMaxConns, a.log)
		if err != nil {
			return nil, nil, err
		}
		mmux := http.NewServeMux()
		mmux.Handle("GET /metrics", h)
		a.log.Info("serving /metrics", "metrics_addr", mln.Addr().String(), "token", c.MetricsToken != "")
		if m.MetricsListening != nil {
			m.MetricsListening(mln.Addr().String())
		}
		return newHTTPServer(c, mmux, a.log), mln, nil
	case c.MetricsToken != "" || loopback(ln):
		mux.Handle("GET /metrics", h)
	default:
		a.log.Warn("/metrics is off: SMSBOT_HTTP_ADDR is reachable from other machines; set SMSBOT_METRICS_TOKEN, or SMSBOT_METRICS_ADDR to a private address", "http_addr", ln.Addr().String())
	}
	return nil, nil, nil
}
