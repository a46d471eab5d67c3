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
