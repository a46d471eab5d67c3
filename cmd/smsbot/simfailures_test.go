package main

import (
	"io"
	"testing"
)

func TestConfigSimFailures(t *testing.T) {
	tests := []struct {
		args []string
		env  string
		want string
	}{
		{nil, "", "off"},
		{nil, "off", "off"},
		{nil, "30003:2%,30007:1%,21610:0.5%", "30003:2%,30007:1%,21610:0.5%"},
		{nil, "30003:2%, stop:1%", "30003:2%,stop:1%"},
		{[]string{"-sim-failures", "21211:1%"}, "30003:2%", "21211:1%"},
		{[]string{"-sim-failures", "off"}, "30003:2%", "off"},
	}
	for _, tt := range tests {
		m := NewMain()
		m.Stderr = io.Discard
		env := map[string]string{"SMSBOT_SIM_FAILURES": tt.env}
		if err := m.ParseFlags(tt.args, func(k string) string { return env[k] }); err != nil {
			t.Errorf("%v SMSBOT_SIM_FAILURES=%q: %v", tt.args, tt.env, err)
			continue
		}
		if got := m.Config.SimFailures.String(); got != tt.want {
			t.Errorf("%v SMSBOT_SIM_FAILURES=%q: SimFailures %s, want %s", tt.args, tt.env, got, tt.want)
		}
	}
}

func TestConfigSimFailuresErrorsNameTheEntry(t *testing.T) {
	for in, want := range map[string]string{
		"30003:two%":          `SMSBOT_SIM_FAILURES / -sim-failures: "30003:two%" is not a share like 2%`,
		"30003:2%,30007":      `SMSBOT_SIM_FAILURES / -sim-failures: "30007" is not a code and a share like 30003:2%`,
		"30009:1%":            `SMSBOT_SIM_FAILURES / -sim-failures: "30009:1%": 30009 is not a code the simulated carrier fails with; use 21211, 21408, 21610, 21612, 21614, 30003, 30004, 30005, 30006, 30007, 30008, or stop for STOP replies`,
		"30003:60%,30007:50%": `SMSBOT_SIM_FAILURES / -sim-failures: "30003:60%,30007:50%": the failures add up to 110%, more than 100%`,
	} {
		m := NewMain()
		m.Stderr = io.Discard
		err := m.ParseFlags(nil, func(k string) string { return map[string]string{"SMSBOT_SIM_FAILURES": in}[k] })
		if err == nil || err.Error() != want {
			t.Errorf("SMSBOT_SIM_FAILURES=%q: %v, want %q", in, err, want)
		}
	}
}
