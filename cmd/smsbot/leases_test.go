package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"smsbot/broadcast/twilio/twiliotest"
)

// pollingEnv is serve on the Twilio fake without SMSBOT_PUBLIC_URL, so
// that it polls (once an hour: the test needs the lease, not the polls).
func pollingEnv(fake *twiliotest.Server) map[string]string {
	return map[string]string{
		"TWILIO_ACCOUNT_SID": fake.AccountSID(), "TWILIO_AUTH_TOKEN": fake.AuthToken(), "TWILIO_API_URL": fake.URL(),
		"SMSBOT_POLL_EVERY": "1h",
	}
}

func TestServeHealthzListsLeases(t *testing.T) {
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	r := startReplica(t, pollingEnv(fake))
	r.waitLog(`msg="acquired lease"`, "lease=poller")

	code, h := r.health()
	if code != http.StatusOK || h.Status != "ok" || h.Database != "ok" || !h.Ready || !h.Renewing {
		t.Fatalf("/healthz = %d %+v", code, h)
	}
	if !strings.Contains(h.Owner, "/") {
		t.Errorf("owner %q is not host/pid/random", h.Owner)
	}
	names := map[string]int64{}
	for _, l := range h.Leases {
		names[l.Name] = l.Token
	}
	for _, want := range []string{"poller", replicaPrefix + h.Owner} {
		if names[want] < 1 {
			t.Errorf("/healthz leases %+v: no %s with a token", h.Leases, want)
		}
	}
	if _, ok := names[discordLease]; ok {
		t.Errorf("/healthz leases %+v: discord, without Discord", h.Leases)
	}

	resp, err := http.Get(r.base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != "ready" {
		t.Errorf("/readyz = %d %q, want 200 ready", resp.StatusCode, body)
	}

	resp, err = http.Get(r.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	held := map[string]float64{}
	for _, mt := range families["smsbot_leases_held"].GetMetric() {
		for _, l := range mt.GetLabel() {
			if l.GetName() == "kind" {
				held[l.GetValue()] = mt.GetGauge().GetValue()
			}
		}
	}
	for kind, want := range map[string]float64{"poller": 1, "replica": 1, "discord": 0, "sender": 0, "progress": 0} {
		if got, ok := held[kind]; !ok || got != want {
			t.Errorf("smsbot_leases_held{kind=%q} = %v (present %v), want %v", kind, got, ok, want)
		}
	}
	one := func(name string) float64 {
		t.Helper()
		f := families[name]
		if f == nil || len(f.GetMetric()) != 1 {
			t.Fatalf("/metrics: no %s", name)
		}
		m := f.GetMetric()[0]
		if c := m.GetCounter(); c != nil {
			return c.GetValue()
		}
		return m.GetGauge().GetValue()
	}
	if got := one("smsbot_lease_acquisitions_total"); got < 2 {
		t.Errorf("smsbot_lease_acquisitions_total = %v, want at least 2 (replica, poller)", got)
	}
	if got := one("smsbot_leases_lost_total"); got != 0 {
		t.Errorf("smsbot_leases_lost_total = %v, want 0", got)
	}
	if got := one("smsbot_lease_renewing"); got != 1 {
		t.Errorf("smsbot_lease_renewing = %v, want 1", got)
	}
}
