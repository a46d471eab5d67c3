package main

import (
	"crypto/subtle"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// newHTTPServer returns the server for h with the configured deadlines:
// a client must send its request within the read timeout (headers within
// at most 10 s of it), gets its answer within the write timeout, and a
// kept-alive connection is closed after the idle timeout. Every body is
// capped at maxBodyBytes.
func newHTTPServer(c Config, h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           http.MaxBytesHandler(h, maxBodyBytes),
		ReadHeaderTimeout: min(c.HTTPReadTimeout, 10*time.Second),
		ReadTimeout:       c.HTTPReadTimeout,
		WriteTimeout:      c.HTTPWriteTimeout,
		IdleTimeout:       c.HTTPIdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// listen listens on addr, setting's value, with at most max connections
// open at once (limitListener).
func listen(setting, addr string, max int, log *slog.Logger) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s %s: %w", setting, addr, err)
	}
	return &limitListener{Listener: ln, slots: make(chan struct{}, max), log: log, setting: setting}, nil
}

// refusal is the whole answer to a connection over the cap.
const refusal = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n" +
	"Connection: close\r\nRetry-After: 1\r\nContent-Length: 21\r\n\r\ntoo many connections\n"

// limitListener caps the connections open at once. A connection over the
// cap is answered 503 at once and closed, before anything is read from
// it, so that it holds no memory; the refusals are logged at most once
// every 10 s, with their count.
type limitListener struct {
	net.Listener
	slots   chan struct{}
	log     *slog.Logger
	setting string

	refused  atomic.Int64
	lastLogs atomic.Int64 // UnixNano of the last refusal logged
}

// Accept returns the next connection within the cap.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		select {
		case l.slots <- struct{}{}:
			return &limitedConn{Conn: c, release: func() { <-l.slots }}, nil
		default:
		}
		// A fresh socket's send buffer takes this without blocking; the
		// deadline is a failsafe.
		_ = c.SetWriteDeadline(time.Now().Add(time.Second))
		_, _ = io.WriteString(c, refusal)
		_ = c.Close()
		n := l.refused.Add(1)
		now, last := time.Now().UnixNano(), l.lastLogs.Load()
		if now-last >= int64(10*time.Second) && l.lastLogs.CompareAndSwap(last, now) {
			l.log.Warn("refused HTTP connections over the cap", "setting", l.setting, "max", cap(l.slots), "refused_total", n)
		}
	}
}

// limitedConn gives its slot back when closed, once.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

// Close closes the connection and frees its slot.
func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// requireBearer passes on only requests with "Authorization: Bearer
// token", compared in constant time; others get 401.
func requireBearer(token string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="smsbot metrics"`)
			http.Error(w, "a bearer token is required (SMSBOT_METRICS_TOKEN)", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// loopback reports whether ln listens on this machine only.
func loopback(ln net.Listener) bool {
	a, ok := ln.Addr().(*net.TCPAddr)
	return ok && a.IP.IsLoopback()
}
