package main

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// checkRegion returns region in upper case when phonenumbers knows it
// (US, DE, GB…), so that a wrong SMSBOT_REGION is refused at start rather
// than blamed on every national number later.
func checkRegion(region string) (string, error) {
	r := strings.ToUpper(strings.TrimSpace(region))
	if !phonenumbers.GetSupportedRegions()[r] {
		return "", fmt.Errorf("SMSBOT_REGION / -region: %q is not a region like US, DE or GB", region)
	}
	return r, nil
}

// checkAPIURLs refuses a service base URL (a fake's or a mock's) that is
// not an http or https URL with a host, naming the setting.
func (c *Config) checkAPIURLs() error {
	for _, s := range []struct{ name, flag, raw string }{
		{"TWILIO_API_URL", "-twilio-api-url", c.TwilioAPIURL},
		{"SLACK_API_URL", "-slack-api-url", c.SlackAPIURL},
		{"DISCORD_API_URL", "-discord-api-url", c.DiscordAPIURL},
	} {
		if s.raw == "" {
			continue
		}
		if u, err := url.Parse(s.raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%s / %s: %q is not a URL like http://127.0.0.1:8081/", s.name, s.flag, s.raw)
		}
	}
	return nil
}

// parseDuration reads a duration setting of at least least (1ns: more
// than 0), saying which of the two is wrong: not a duration at all, or
// one too short. example is a good value, like 12h.
func parseDuration(name, flag, raw string, least time.Duration, example string) (time.Duration, error) {
	d, err := time.ParseDuration(raw)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%s / %s: %q is not a duration like %s", name, flag, raw, example)
	case d < least && least == 0:
		return 0, fmt.Errorf("%s / %s: %q must not be negative; use 0 or a duration like %s", name, flag, raw, example)
	case d < least && least == time.Nanosecond:
		return 0, fmt.Errorf("%s / %s: %q must be more than 0, like %s", name, flag, raw, example)
	case d < least:
		return 0, fmt.Errorf("%s / %s: %q must be at least %s, like %s", name, flag, raw, least, example)
	}
	return d, nil
}
