package twilio

import (
	"cmp"
	"fmt"
	"net/http"
	"time"

	"smsbot/broadcast"
)

// Defaults of the transport settings in Config.
const (
	// DefaultTimeout is Config.Timeout's default: the whole-call deadline.
	DefaultTimeout = 30 * time.Second
	// DefaultDialTimeout is Config.DialTimeout's default.
	DefaultDialTimeout = 5 * time.Second
	// DefaultTLSHandshakeTimeout is Config.TLSHandshakeTimeout's default.
	DefaultTLSHandshakeTimeout = 5 * time.Second
	// DefaultResponseHeaderTimeout is Config.ResponseHeaderTimeout's
	// default. Twilio answers a create in about 150 ms.
	DefaultResponseHeaderTimeout = 15 * time.Second
	// DefaultIdleConnTimeout is Config.IdleConnTimeout's default.
	DefaultIdleConnTimeout = 90 * time.Second
)

// Config configures a Provider. Zero fields take their defaults.
type Config struct {
	AccountSID string
	AuthToken  string
	// APIURL, when set, replaces https://api.twilio.com (scheme and host),
	// for a local fake or mock such as http://127.0.0.1:4010.
	APIURL string
	// StatusCallback, when set, is sent with every message so Twilio
	// reports delivery there.
	StatusCallback string
	// Gate, when set, caps the account's calls in flight: every API
	// request the Provider makes (a create, each page of a list) takes a
	// slot first, with the context it was given, and gives it back with
	// its classified error, so a 20429 cuts the cap wherever it comes
	// from. A context bound to a slot of Gate (broadcast.Slot.Bind) takes
	// none: the engine, which holds a slot around Send and Lookup, does
	// not take two. Nil: no cap.
	Gate *broadcast.Gate

	// Timeout bounds each API request, from dial to the end of the body
	// (default DefaultTimeout). A create that times out after its request
	// was written is ambiguous: the engine looks the text up before
	// sending it again.
	Timeout time.Duration
	// Concurrency sizes the keep-alive pool: how many idle connections to
	// Twilio are kept for reuse (default: Gate's maximum when a Gate is
	// set, else broadcast.DefaultConcurrency). It limits nothing: the
	// Gate does.
	Concurrency int
	// DialTimeout bounds opening a TCP connection (default
	// DefaultDialTimeout).
	DialTimeout time.Duration
	// TLSHandshakeTimeout bounds the TLS handshake (default
	// DefaultTLSHandshakeTimeout).
	TLSHandshakeTimeout time.Duration
	// ResponseHeaderTimeout bounds the wait for an answer's headers once
	// the request was written (default DefaultResponseHeaderTimeout).
	// After it a create is ambiguous (reconciled by a lookup), a list
	// retryable.
	ResponseHeaderTimeout time.Duration
	// IdleConnTimeout is how long an idle connection stays in the pool
	// (default DefaultIdleConnTimeout).
	IdleConnTimeout time.Duration
	// Transport is the underlying HTTP transport. Nil: NewTransport(cfg),
	// built from the settings above. When set it is used as is, and
	// Concurrency, DialTimeout, TLSHandshakeTimeout, ResponseHeaderTimeout
	// and IdleConnTimeout are ignored.
	Transport http.RoundTripper
	// Now is the clock for Retry-After dates (default time.Now).
	Now func() time.Time
}

// withDefaults returns cfg with every zero setting at its default.
func (cfg Config) withDefaults() Config {
	limit := broadcast.DefaultConcurrency
	if cfg.Gate != nil {
		limit = cfg.Gate.State().Max
	}
	cfg.Concurrency = cmp.Or(cfg.Concurrency, limit)
	cfg.Timeout = cmp.Or(cfg.Timeout, DefaultTimeout)
	cfg.DialTimeout = cmp.Or(cfg.DialTimeout, DefaultDialTimeout)
	cfg.TLSHandshakeTimeout = cmp.Or(cfg.TLSHandshakeTimeout, DefaultTLSHandshakeTimeout)
	cfg.ResponseHeaderTimeout = cmp.Or(cfg.ResponseHeaderTimeout, DefaultResponseHeaderTimeout)
	cfg.IdleConnTimeout = cmp.Or(cfg.IdleConnTimeout, DefaultIdleConnTimeout)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg
}

// validate names the first setting that cannot be used.
func (cfg Config) validate() error {
	if cfg.Concurrency < 0 {
		return fmt.Errorf("twilio: Concurrency %d must not be negative", cfg.Concurrency)
	}
	for _, d := range []struct {
		name string
		d    time.Duration
	}{
		{"Timeout", cfg.Timeout},
		{"DialTimeout", cfg.DialTimeout},
		{"TLSHandshakeTimeout", cfg.TLSHandshakeTimeout},
		{"ResponseHeaderTimeout", cfg.ResponseHeaderTimeout},
		{"IdleConnTimeout", cfg.IdleConnTimeout},
	} {
		if d.d < 0 {
			return fmt.Errorf("twilio: %s %v must not be negative", d.name, d.d)
		}
	}
	return nil
}
