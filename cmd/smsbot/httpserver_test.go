package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"smsbot/broadcast/twilio/twiliotest"
)

// failsafe bounds every wait on the server here: far longer than the
// deadlines the tests configure (300 ms), far shorter than the defaults.
const failsafe = 5 * time.Second

// served is a running `smsbot serve`, in process.
type served struct {
	addr, metricsAddr string // host:port; metricsAddr "" without SMSBOT_METRICS_ADDR
}

// serveOn runs `smsbot serve` with env (SMSBOT_HTTP_ADDR defaults to
// 127.0.0.1:0) on the Twilio fake, with webhooks at a public URL, until
// the test ends.
func serveOn(t *testing.T, env map[string]string) served {
	t.Helper()
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	full := map[string]string{
		"SMSBOT_DB": filepath.Join(t.TempDir(), "smsbot.db"), "SMSBOT_HTTP_ADDR": "127.0.0.1:0",
		"TWILIO_ACCOUNT_SID": fake.AccountSID(), "TWILIO_AUTH_TOKEN": fake.AuthToken(), "TWILIO_API_URL": fake.URL(),
		"SMSBOT_PUBLIC_URL": "https://sms.example.org",
	}
	for k, v := range env {
		full[k] = v
	}
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, testWriter{t}
	if err := m.ParseFlags([]string{"serve"}, func(k string) string { return full[k] }); err != nil {
		t.Fatal(err)
	}
	addrs := make(chan string, 1)
	metrics := make(chan string, 1)
	m.Listening = func(a string) { addrs <- a }
	m.MetricsListening = func(a string) { metrics <- a }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve ended with %v", err)
		}
	})
	var s served
	select {
	case s.addr = <-addrs:
	case err := <-done:
		done <- err
		t.Fatalf("serve ended at start: %v", err)
	}
	select {
	case s.metricsAddr = <-metrics:
	default: // it listens before the main server, or not at all
	}
	if host, port, err := net.SplitHostPort(s.addr); err == nil && net.ParseIP(host).IsUnspecified() {
		s.addr = net.JoinHostPort("127.0.0.1", port) // all interfaces: this one too
	}
	return s
}

// dial opens a connection to addr with the failsafe as its deadline.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(failsafe))
	return c
}

// waitClosed reads from c until the server closes it, failing the test
// if the failsafe passes first.
func waitClosed(t *testing.T, c net.Conn, what string) {
	t.Helper()
	_, err := io.Copy(io.Discard, c)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("%s: still open after %v", what, failsafe)
	}
}

// get sends GET path on c, kept alive, and reads the answer.
func get(t *testing.T, c net.Conn, r *bufio.Reader, path string) *http.Response {
	t.Helper()
	if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: smsbot\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// Clients that send a body slowly, hold a kept-alive connection idle, or
// send nothing at all are disconnected after the configured deadlines.
func TestServeClosesSlowAndIdleClients(t *testing.T) {
	s := serveOn(t, map[string]string{"SMSBOT_HTTP_READ_TIMEOUT": "300ms", "SMSBOT_HTTP_IDLE_TIMEOUT": "300ms"})

	t.Run("slow body", func(t *testing.T) {
		slow := dial(t, s.addr)
		io.WriteString(slow, "POST /twilio/inbound HTTP/1.1\r\nHost: smsbot\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
			"Content-Length: 4000\r\n\r\nFrom=%2B1206")
		waitClosed(t, slow, "a client sending 12 of 4,000 bytes of its body")
	})
	t.Run("idle keep-alive", func(t *testing.T) {
		idle := dial(t, s.addr)
		if resp := get(t, idle, bufio.NewReader(idle), "/healthz"); resp.StatusCode != http.StatusOK {
			t.Fatalf("/healthz = %d", resp.StatusCode)
		}
		waitClosed(t, idle, "an idle kept-alive client")
	})
	t.Run("silent", func(t *testing.T) {
		waitClosed(t, dial(t, s.addr), "a client sending nothing")
	})
}

// A connection over SMSBOT_HTTP_MAX_CONNS is answered 503 and closed at
// once; a slot given back takes a new one.
func TestServeCapsConnections(t *testing.T) {
	s := serveOn(t, map[string]string{"SMSBOT_HTTP_MAX_CONNS": "2"})
	var held []net.Conn
	for range 2 {
		c := dial(t, s.addr)
		if resp := get(t, c, bufio.NewReader(c), "/healthz"); resp.StatusCode != http.StatusOK {
			t.Fatalf("/healthz = %d", resp.StatusCode)
		}
		held = append(held, c) // kept alive: each holds its slot
	}
	over := dial(t, s.addr)
	resp, err := http.ReadResponse(bufio.NewReader(over), nil)
	if err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("a third connection: %v %v, want 503 at once", resp, err)
	}
	waitClosed(t, over, "the refused connection")

	held[0].Close()
	// The server frees the slot once it reads the close: until then a new
	// connection may still be refused, at once, so try again.
	for deadline := time.Now().Add(failsafe); ; {
		c := dial(t, s.addr)
		if resp := get(t, c, bufio.NewReader(c), "/healthz"); resp.StatusCode == http.StatusOK {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("no connection got the slot given back")
		}
	}
}

// metricsStatus is the status of GET /metrics at addr, with auth as the
// Authorization header when not "".
func metricsStatus(t *testing.T, addr, auth string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := (&http.Client{Timeout: failsafe}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK && !strings.Contains(string(body), "smsbot_queue_depth") {
		t.Fatalf("/metrics at %s answered 200 without the metrics:\n%s", addr, body)
	}
	return resp.StatusCode
}

// /metrics needs its bearer token when one is set, moves to its own
// address when one is set, and is not served on a public address without
// either.
func TestServeMetricsAccess(t *testing.T) {
	const token = "metrics-secret-7f3a"
	t.Run("token", func(t *testing.T) {
		s := serveOn(t, map[string]string{"SMSBOT_METRICS_TOKEN": token})
		for auth, want := range map[string]int{"": 401, "Bearer wrong": 401, "Basic " + token: 401, token: 401,
			"Bearer " + token + "x": 401, "Bearer " + token: 200} {
			if got := metricsStatus(t, s.addr, auth); got != want {
				t.Errorf("Authorization %q: %d, want %d", auth, got, want)
			}
		}
	})
	t.Run("own address", func(t *testing.T) {
		s := serveOn(t, map[string]string{"SMSBOT_METRICS_ADDR": "127.0.0.1:0", "SMSBOT_METRICS_TOKEN": token})
		if s.metricsAddr == "" {
			t.Fatal("no metrics listener")
		}
		if got := metricsStatus(t, s.addr, "Bearer "+token); got != http.StatusNotFound {
			t.Errorf("/metrics on the main address: %d, want 404", got)
		}
		if got := metricsStatus(t, s.metricsAddr, ""); got != http.StatusUnauthorized {
			t.Errorf("/metrics on its own address without the token: %d, want 401", got)
		}
		if got := metricsStatus(t, s.metricsAddr, "Bearer "+token); got != http.StatusOK {
			t.Errorf("/metrics on its own address with the token: %d, want 200", got)
		}
	})
	t.Run("public without either", func(t *testing.T) {
		s := serveOn(t, map[string]string{"SMSBOT_HTTP_ADDR": "0.0.0.0:0"})
		if got := metricsStatus(t, s.addr, ""); got != http.StatusNotFound {
			t.Errorf("/metrics on a public address: %d, want 404", got)
		}
	})
	t.Run("loopback without either", func(t *testing.T) {
		s := serveOn(t, nil)
		if got := metricsStatus(t, s.addr, ""); got != http.StatusOK {
			t.Errorf("/metrics on 127.0.0.1: %d, want 200", got)
		}
	})
}

// Without SMSBOT_PUBLIC_URL the server listens on this machine only.
func TestHTTPAddrDefault(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, "127.0.0.1:8080"},
		{map[string]string{"SMSBOT_PUBLIC_URL": "https://sms.example.org"}, ":8080"},
		{map[string]string{"SMSBOT_HTTP_ADDR": "0.0.0.0:9000"}, "0.0.0.0:9000"},
		{map[string]string{"SMSBOT_HTTP_ADDR": "127.0.0.1:9000", "SMSBOT_PUBLIC_URL": "https://sms.example.org"}, "127.0.0.1:9000"},
	} {
		m := NewMain()
		m.Stderr = io.Discard
		if err := m.ParseFlags(nil, func(k string) string { return tt.env[k] }); err != nil {
			t.Fatal(err)
		}
		if m.Config.HTTPAddr != tt.want {
			t.Errorf("env %v: HTTPAddr %q, want %q", tt.env, m.Config.HTTPAddr, tt.want)
		}
	}
}

func TestHTTPConfigErrorsNameTheSetting(t *testing.T) {
	for name, bad := range map[string]string{"SMSBOT_HTTP_READ_TIMEOUT": "10", "SMSBOT_HTTP_WRITE_TIMEOUT": "0s",
		"SMSBOT_HTTP_IDLE_TIMEOUT": "-1m", "SMSBOT_HTTP_MAX_CONNS": "0"} {
		m := NewMain()
		m.Stderr = io.Discard
		err := m.ParseFlags(nil, func(k string) string { return map[string]string{name: bad}[k] })
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: %v, want an error naming it", name, bad, err)
		}
	}
}
