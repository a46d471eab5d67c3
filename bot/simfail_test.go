package bot_test

import (
	"context"
	"strings"
	"testing"

	"smsbot/bot"
	"smsbot/broadcast/sim"
)

// simWithFailures is the console's Simulator: texts in are not needed
// here; failures go to the bundle's simulated carrier as cmd/smsbot
// wires them.
type simWithFailures struct{ carrier *sim.Provider }

func (simWithFailures) SimulateText(context.Context, string, string) error { return nil }

func (s simWithFailures) SimFailures() []bot.SimFailure { return toBot(s.carrier.Failures()) }

func (s simWithFailures) SetSimFailures(spec string) ([]bot.SimFailure, error) {
	fs, err := sim.ParseFailures(spec)
	if err != nil {
		return nil, err
	}
	s.carrier.SetFailures(fs)
	return toBot(fs), nil
}

func toBot(fs sim.Failures) []bot.SimFailure {
	var out []bot.SimFailure
	for _, f := range fs {
		out = append(out, bot.SimFailure{Code: f.Code, Percent: f.Percent, AtSend: f.AtSend()})
	}
	return out
}

// text is everything one answer shows.
func text(ms []bot.Message) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(m.Title + "\n" + m.Text + "\n")
		for _, f := range m.Fields {
			b.WriteString(f.Label + ": " + f.Value + "\n")
		}
	}
	return b.String()
}

func TestSimFailuresCommand(t *testing.T) {
	b := setup(t, "alice")
	b.router = bot.New(bot.Config{Engine: b.engine, Directory: b.store, Stats: b.store, Admins: []string{"alice"},
		Simulator: simWithFailures{b.sim}})
	t.Cleanup(b.router.Close)

	steps := []struct {
		user, cmd string
		want      []string
		setting   string // the carrier's afterwards
	}{
		{"alice", "sim failures", []string{"Off: every simulated text is delivered", "/sms sim failures 30003:2%"}, "off"},
		{"alice", "sim failures 30003:2%,21610:0.5%,stop:1%", []string{
			"Simulated failures changed", "`30003:2%,21610:0.5%,stop:1%`",
			"30003 unreachable: phone off or out of coverage, may be temporary: 2% of texts, undelivered a few seconds after the send",
			"21610 the recipient opted out (replied STOP): 0.5% of texts, refused at the send",
			"STOP: 1% of recipients text STOP back after delivery",
		}, "30003:2%,21610:0.5%,stop:1%"},
		{"alice", "SIM Failures", []string{"`30003:2%,21610:0.5%,stop:1%`"}, "30003:2%,21610:0.5%,stop:1%"},
		{"alice", "sim failures 30003:two%", []string{`"30003:two%" is not a share like 2%`}, "30003:2%,21610:0.5%,stop:1%"},
		{"alice", "sim failures 30009:1%", []string{`30009 is not a code the simulated carrier fails with; use 21211`}, "30003:2%,21610:0.5%,stop:1%"},
		{"mallory", "sim failures off", []string{"only smsbot admins can do that"}, "30003:2%,21610:0.5%,stop:1%"},
		{"mallory", "sim failures", []string{"only smsbot admins can do that"}, "30003:2%,21610:0.5%,stop:1%"},
		{"alice", "sim failures off", []string{"Simulated failures changed", "Off: every simulated text is delivered"}, "off"},
		{"alice", "sim failurs", []string{`unknown subcommand of sim "failurs"`}, "off"},
	}
	for _, s := range steps {
		got := text(b.do(s.user, s.cmd))
		for _, w := range s.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: /sms %s answered\n%s\nwant %q", s.user, s.cmd, got, w)
			}
		}
		if setting := b.sim.Failures().String(); setting != s.setting {
			t.Errorf("after %s: /sms %s the carrier fails %s, want %s", s.user, s.cmd, setting, s.setting)
		}
	}
}

func TestSimFailuresOnlyOnTheSimulatedCarrier(t *testing.T) {
	b := setup(t) // no Simulator: Twilio
	if got := text(b.do("alice", "sim failures 30003:2%")); !strings.Contains(got, "/sms sim failures only works on the simulated carrier") {
		t.Errorf("answered %q", got)
	}
}
