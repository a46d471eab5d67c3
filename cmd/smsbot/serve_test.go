package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// startServe runs `smsbot serve` in-process on a free port and returns its
// base URL; cancelling stops it, and the returned channel yields Run's
// result.
func startServe(t *testing.T, env map[string]string) (string, context.CancelFunc, <-chan error) {
	t.Helper()
	env["SMSBOT_DB"] = filepath.Join(t.TempDir(), "smsbot.db")
	env["SMSBOT_HTTP_ADDR"] = "127.0.0.1:0"
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, testWriter{t}
	if err := m.ParseFlags([]string{"serve"}, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	m.Listening = func(a string) { addr <- a }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	select {
	case a := <-addr:
		return "http://" + a, cancel, done
	case err := <-done:
		cancel()
		t.Fatalf("serve ended at start: %v", err)
	}
	return "", cancel, done
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func TestServeHealthzSlackRoutesAndShutdown(t *testing.T) {
	base, cancel, done := startServe(t, map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret", "SMSBOT_ADMINS": "U0ALICE",
		"SLACK_API_URL": "http://127.0.0.1:1/",
	})
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != 200 || body["status"] != "ok" {
		t.Fatalf("/healthz = %d %v", resp.StatusCode, body)
	}
	resp, err = http.Post(base+"/slack/commands", "application/x-www-form-urlencoded", strings.NewReader("text=send+crew+hi"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unsigned /slack/commands = %d, want 401", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve ended with %v", err)
	}
}

func TestServeRefusesChatWithoutAdmins(t *testing.T) {
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, io.Discard
	env := map[string]string{"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test", "SMSBOT_DB": filepath.Join(t.TempDir(), "x.db")}
	if err := m.ParseFlags(nil, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	err := m.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "SMSBOT_ADMINS is empty") {
		t.Fatalf("Run = %v", err)
	}
}

func TestConfigErrorsNameTheSetting(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"SMSBOT_DEFAULT_MPS": "fast"}, "SMSBOT_DEFAULT_MPS"},
		{map[string]string{"SMSBOT_PRICE_PER_SEGMENT": "-1"}, "SMSBOT_PRICE_PER_SEGMENT"},
		{map[string]string{"SMSBOT_MAX_ATTEMPTS": "0"}, "SMSBOT_MAX_ATTEMPTS"},
		{map[string]string{"SMSBOT_LOG_LEVEL": "loud"}, "SMSBOT_LOG_LEVEL"},
		{map[string]string{"SMSBOT_MAX_IMPORT_BYTES": "20MiB"}, "SMSBOT_MAX_IMPORT_BYTES"},
		{map[string]string{"SMSBOT_TWILIO_CONCURRENCY": "0"}, "SMSBOT_TWILIO_CONCURRENCY"},
		{map[string]string{"SMSBOT_TWILIO_CONCURRENCY": "lots"}, "SMSBOT_TWILIO_CONCURRENCY"},
		{map[string]string{"SMSBOT_TWILIO_TIMEOUT": "30"}, "SMSBOT_TWILIO_TIMEOUT"},
		{map[string]string{"SMSBOT_TWILIO_HEADER_TIMEOUT": "-1s"}, "SMSBOT_TWILIO_HEADER_TIMEOUT"},
		{map[string]string{"SMSBOT_TWILIO_DIAL_TIMEOUT": "0s"}, "SMSBOT_TWILIO_DIAL_TIMEOUT"},
		{map[string]string{"SMSBOT_TWILIO_TLS_TIMEOUT": "soon"}, "SMSBOT_TWILIO_TLS_TIMEOUT"},
		{map[string]string{"TWILIO_ACCOUNT_SID": "AC123"}, "TWILIO_AUTH_TOKEN"},
		{map[string]string{"SMSBOT_REGION": "XX"}, `SMSBOT_REGION / -region: "XX" is not a region like US, DE or GB`},
		{map[string]string{"SMSBOT_REGION": "USA"}, "SMSBOT_REGION"},
		{map[string]string{"TWILIO_API_URL": "127.0.0.1:8081"}, "TWILIO_API_URL"},
		{map[string]string{"SLACK_API_URL": "slack.test/api/"}, "SLACK_API_URL"},
		{map[string]string{"DISCORD_API_URL": "ftp://discord.test"}, "DISCORD_API_URL"},
		{map[string]string{"SMSBOT_SIM_LATENCY": "slow"}, "SMSBOT_SIM_LATENCY"},
		{map[string]string{"SMSBOT_AUTO_REPLY_EVERY": "daily"}, "SMSBOT_AUTO_REPLY_EVERY"},
		{map[string]string{"SMSBOT_POLL_EVERY": "100ms"}, "SMSBOT_POLL_EVERY"},
		{map[string]string{"SMSBOT_PUBLIC_URL": "sms.example.org"}, "SMSBOT_PUBLIC_URL"},
		{map[string]string{"SMSBOT_TZ": "Mars/Olympus"}, "SMSBOT_TZ"},
		{map[string]string{"SMSBOT_MISFIRE_GRACE": "-1m"}, "SMSBOT_MISFIRE_GRACE"},
		{map[string]string{"SMSBOT_HTTP_READ_TIMEOUT": "0s"}, "SMSBOT_HTTP_READ_TIMEOUT"},
		{map[string]string{"SMSBOT_HTTP_WRITE_TIMEOUT": "x"}, "SMSBOT_HTTP_WRITE_TIMEOUT"},
		{map[string]string{"SMSBOT_HTTP_IDLE_TIMEOUT": "-5s"}, "SMSBOT_HTTP_IDLE_TIMEOUT"},
		{map[string]string{"SMSBOT_HTTP_MAX_CONNS": "0"}, "SMSBOT_HTTP_MAX_CONNS"},
	}
	for _, tt := range tests {
		m := NewMain()
		m.Stderr = io.Discard
		err := m.ParseFlags(nil, func(k string) string { return tt.env[k] })
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("env %v: %v, want an error naming %s", tt.env, err, tt.want)
		}
	}
}

func TestConfigRegionIsCaseInsensitive(t *testing.T) {
	for in, want := range map[string]string{"us": "US", "De": "DE", " gb ": "GB"} {
		m := NewMain()
		m.Stderr = io.Discard
		if err := m.ParseFlags(nil, func(k string) string { return map[string]string{"SMSBOT_REGION": in}[k] }); err != nil {
			t.Fatalf("SMSBOT_REGION=%q: %v", in, err)
		}
		if m.Config.Region != want {
			t.Errorf("SMSBOT_REGION=%q: Region = %q, want %q", in, m.Config.Region, want)
		}
	}
}

func TestServeMetrics(t *testing.T) {
	base, cancel, done := startServe(t, map[string]string{})
	defer func() {
		cancel()
		<-done
	}()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "smsbot_queue_depth 0") ||
		!strings.Contains(string(body), "smsbot_provider_concurrency_limit 100") {
		t.Fatalf("/metrics = %d\n%s", resp.StatusCode, body)
	}
}
