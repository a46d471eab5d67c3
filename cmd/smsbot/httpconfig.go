package main

import (
	"flag"
	"fmt"
	"strconv"
	"time"
)

// HTTP server defaults. A webhook's body is small (Twilio's form, a Slack
// payload, a Discord interaction) and its caller gives up within seconds
// (Slack after 3 s, Twilio after 15 s), so the deadlines are short.
const (
	// defaultLocalAddr is the HTTP address without SMSBOT_PUBLIC_URL:
	// this machine only (Socket Mode, the gateway and polling need no
	// inbound connection).
	defaultLocalAddr = "127.0.0.1:8080"
	// defaultPublicAddr is the HTTP address with SMSBOT_PUBLIC_URL, where
	// Twilio (or a proxy in front) must reach the webhooks.
	defaultPublicAddr = ":8080"
	// maxHeaderBytes caps a request's headers (net/http's default: 1 MB).
	maxHeaderBytes = 32 << 10
	// maxBodyBytes caps every request's body; each webhook caps its own
	// body further (Twilio's form: 64 KiB).
	maxBodyBytes = 1 << 20
)

// httpFlags defines the HTTP server's settings on fs and returns the
// function that checks them once fs is parsed. The address's default
// depends on SMSBOT_PUBLIC_URL, so the check fills it in.
func (c *Config) httpFlags(fs *flag.FlagSet, env func(name, def string) string, secrets *secretFlags) func() error {
	fs.StringVar(&c.HTTPAddr, "http-addr", env("SMSBOT_HTTP_ADDR", ""),
		"address of the HTTP server of smsbot serve; empty: "+defaultLocalAddr+" (this machine only), or "+defaultPublicAddr+" with -public-url [SMSBOT_HTTP_ADDR]")
	read := fs.String("http-read-timeout", env("SMSBOT_HTTP_READ_TIMEOUT", "10s"), "longest time to read a request, headers and body [SMSBOT_HTTP_READ_TIMEOUT]")
	write := fs.String("http-write-timeout", env("SMSBOT_HTTP_WRITE_TIMEOUT", "30s"), "longest time from a request read to its answer written [SMSBOT_HTTP_WRITE_TIMEOUT]")
	idle := fs.String("http-idle-timeout", env("SMSBOT_HTTP_IDLE_TIMEOUT", "60s"), "how long a kept-alive connection may wait for its next request [SMSBOT_HTTP_IDLE_TIMEOUT]")
	conns := fs.String("http-max-conns", env("SMSBOT_HTTP_MAX_CONNS", "512"), "most HTTP connections open at once; one more is answered 503 and closed [SMSBOT_HTTP_MAX_CONNS]")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", env("SMSBOT_METRICS_ADDR", ""),
		"address of a listener of its own for GET /metrics, which then leaves the main one [SMSBOT_METRICS_ADDR]")
	secrets.add(&c.MetricsToken, "metrics-token",
		"SMSBOT_METRICS_TOKEN", "bearer token GET /metrics requires; without it and without -metrics-addr, /metrics is served only on a loopback -http-addr [SMSBOT_METRICS_TOKEN]")
	return func() error {
		for _, d := range []struct {
			name, flag, raw string
			to              *time.Duration
		}{
			{"SMSBOT_HTTP_READ_TIMEOUT", "-http-read-timeout", *read, &c.HTTPReadTimeout},
			{"SMSBOT_HTTP_WRITE_TIMEOUT", "-http-write-timeout", *write, &c.HTTPWriteTimeout},
			{"SMSBOT_HTTP_IDLE_TIMEOUT", "-http-idle-timeout", *idle, &c.HTTPIdleTimeout},
		} {
			var err error
			if *d.to, err = parseDuration(d.name, d.flag, d.raw, time.Nanosecond, "30s"); err != nil {
				return err
			}
		}
		var err error
		if c.HTTPMaxConns, err = strconv.Atoi(*conns); err != nil || c.HTTPMaxConns < 1 {
			return fmt.Errorf("SMSBOT_HTTP_MAX_CONNS / -http-max-conns: %q is not a whole number of at least 1, like 512", *conns)
		}
		if c.HTTPAddr == "" {
			c.HTTPAddr = defaultLocalAddr
			if c.PublicURL != "" {
				c.HTTPAddr = defaultPublicAddr
			}
		}
		return nil
	}
}
