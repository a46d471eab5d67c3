package main

import (
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// secretEnv is a distinctive value for every secret setting.
var secretEnv = map[string]string{
	"TWILIO_AUTH_TOKEN":    "tok_SECRET_twilio_123",
	"SLACK_BOT_TOKEN":      "xoxb-SECRET-slack-bot",
	"SLACK_APP_TOKEN":      "xapp-SECRET-slack-app",
	"SLACK_SIGNING_SECRET": "SECRET_slack_signing",
	"DISCORD_BOT_TOKEN":    "SECRET.discord.bot",
	"SMSBOT_METRICS_TOKEN": "SECRET_metrics_bearer",
}

// The usage text, asked for or printed after a bad flag, shows no secret
// taken from the environment (in a container, stderr lands in the logs).
func TestUsageShowsNoSecret(t *testing.T) {
	bin := smsbotBinary(t)
	var extra []string
	for k, v := range secretEnv {
		extra = append(extra, k+"="+v)
	}
	extra = append(extra, "TWILIO_ACCOUNT_SID=AC00000000000000000000000000000001")
	for _, tt := range []struct {
		args  []string
		exit  int
		usage bool
	}{
		{[]string{"-h"}, 0, true},
		{[]string{"serve", "-h"}, 0, true},
		{[]string{"-no-such-flag"}, 2, true},
		{[]string{"console", "-http-max-conns", "many"}, 2, false},
	} {
		out := &output{name: "smsbot " + strings.Join(tt.args, " ")}
		cmd := exec.Command(bin, tt.args...)
		cmd.Env = childEnv(extra...)
		cmd.Stdout, cmd.Stderr = &out.stdout, &out.stderr
		code := 0
		if err := cmd.Run(); err != nil {
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("%s: %v", out.name, err)
			}
			code = exit.ExitCode()
		}
		if code != tt.exit {
			t.Errorf("%s exited %d, want %d", out.name, code, tt.exit)
		}
		all := out.stdout.String() + out.stderr.String()
		if tt.usage && !strings.Contains(all, "-twilio-auth-token") {
			t.Errorf("%s printed no usage text", out.name)
		}
		for name, v := range secretEnv {
			if strings.Contains(all, v) {
				t.Errorf("%s printed %s's value", out.name, name)
			}
		}
		if t.Failed() {
			out.logTo(t)
		}
	}
}

// Secrets still come from the environment, and a flag still wins.
func TestSecretsReadFromEnvironmentAfterFlags(t *testing.T) {
	m := NewMain()
	m.Stderr = io.Discard
	env := func(k string) string { return secretEnv[k] }
	if err := m.ParseFlags([]string{"-slack-bot-token", "xoxb-from-flag", "-twilio-account-sid", "AC1"}, env); err != nil {
		t.Fatal(err)
	}
	c := m.Config
	got := map[string]string{
		"TWILIO_AUTH_TOKEN": c.TwilioToken, "SLACK_APP_TOKEN": c.SlackAppToken,
		"SLACK_SIGNING_SECRET": c.SlackSigningSecret, "DISCORD_BOT_TOKEN": c.DiscordBotToken,
		"SMSBOT_METRICS_TOKEN": c.MetricsToken,
	}
	for k, v := range got {
		if v != secretEnv[k] {
			t.Errorf("%s: Config has %q, want the environment's %q", k, v, secretEnv[k])
		}
	}
	if c.SlackBotToken != "xoxb-from-flag" {
		t.Errorf("SlackBotToken = %q, want the flag's", c.SlackBotToken)
	}
}
