package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"smsbot/broadcast/latency"
)

func TestConfigSimLatency(t *testing.T) {
	tests := []struct {
		args []string
		env  string
		want latency.Dist
	}{
		{nil, "", latency.Dist{}},
		{nil, "0s", latency.Dist{}},
		{nil, "200ms", latency.Constant(200 * time.Millisecond)},
		{nil, "150ms/400ms", latency.LogNormal(150*time.Millisecond, 400*time.Millisecond)},
		{[]string{"-sim-latency", "50ms..400ms"}, "150ms", latency.Uniform(50*time.Millisecond, 400*time.Millisecond)},
	}
	for _, tt := range tests {
		m := NewMain()
		m.Stderr = io.Discard
		env := map[string]string{"SMSBOT_SIM_LATENCY": tt.env}
		if err := m.ParseFlags(tt.args, func(k string) string { return env[k] }); err != nil {
			t.Errorf("%v SMSBOT_SIM_LATENCY=%q: %v", tt.args, tt.env, err)
			continue
		}
		if m.Config.SimLatency != tt.want {
			t.Errorf("%v SMSBOT_SIM_LATENCY=%q: SimLatency %v, want %v", tt.args, tt.env, m.Config.SimLatency, tt.want)
		}
	}
}

func TestConfigSimLatencyErrors(t *testing.T) {
	for in, want := range map[string]string{
		"soon":        `SMSBOT_SIM_LATENCY / -sim-latency: "soon" is not a latency like 150ms or 150ms/400ms (median/p99)`,
		"-1s":         `SMSBOT_SIM_LATENCY / -sim-latency: "-1s" is not a latency`,
		"400ms/150ms": `SMSBOT_SIM_LATENCY / -sim-latency: "400ms/150ms": the 99th percentile 150ms is below the median 400ms`,
	} {
		m := NewMain()
		m.Stderr = io.Discard
		err := m.ParseFlags(nil, func(k string) string { return map[string]string{"SMSBOT_SIM_LATENCY": in}[k] })
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("SMSBOT_SIM_LATENCY=%q: %v, want %q", in, err, want)
		}
	}
}
