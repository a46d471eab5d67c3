package twilio_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/broadcast/twilio"
	"smsbot/broadcast/twilio/twiliotest"
)

func TestNewTransportDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  twilio.Config
		pool int
	}{
		{"defaults", twilio.Config{}, broadcast.DefaultConcurrency},
		{"the gate's maximum", twilio.Config{Gate: broadcast.NewGate(broadcast.GateConfig{Limit: 40})}, 40},
		{"Concurrency over the gate's", twilio.Config{Concurrency: 7, Gate: broadcast.NewGate(broadcast.GateConfig{Limit: 40})}, 7},
	}
	for _, tt := range tests {
		tr := twilio.NewTransport(tt.cfg)
		if tr.MaxIdleConns != tt.pool || tr.MaxIdleConnsPerHost != tt.pool {
			t.Errorf("%s: idle pool %d, %d per host; want %d", tt.name, tr.MaxIdleConns, tr.MaxIdleConnsPerHost, tt.pool)
		}
		if !tr.ForceAttemptHTTP2 || tr.DialContext == nil || tr.Proxy == nil {
			t.Errorf("%s: HTTP/2 %v, dialer %v, proxy %v; want all", tt.name, tr.ForceAttemptHTTP2, tr.DialContext != nil, tr.Proxy != nil)
		}
		if tr.TLSHandshakeTimeout != twilio.DefaultTLSHandshakeTimeout || tr.ResponseHeaderTimeout != twilio.DefaultResponseHeaderTimeout ||
			tr.IdleConnTimeout != twilio.DefaultIdleConnTimeout {
			t.Errorf("%s: timeouts TLS %v, headers %v, idle %v; want the defaults", tt.name, tr.TLSHandshakeTimeout, tr.ResponseHeaderTimeout, tr.IdleConnTimeout)
		}
	}
	tr := twilio.NewTransport(twilio.Config{TLSHandshakeTimeout: time.Second, ResponseHeaderTimeout: 2 * time.Second, IdleConnTimeout: 3 * time.Second})
	if tr.TLSHandshakeTimeout != time.Second || tr.ResponseHeaderTimeout != 2*time.Second || tr.IdleConnTimeout != 3*time.Second {
		t.Errorf("set timeouts: TLS %v, headers %v, idle %v", tr.TLSHandshakeTimeout, tr.ResponseHeaderTimeout, tr.IdleConnTimeout)
	}
}

func TestNewRefusesNegativeSettings(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]twilio.Config{
		"Timeout":               {Timeout: -time.Second},
		"DialTimeout":           {DialTimeout: -time.Second},
		"ResponseHeaderTimeout": {ResponseHeaderTimeout: -time.Second},
		"Concurrency":           {Concurrency: -1},
	} {
		cfg.AccountSID, cfg.AuthToken = twiliotest.DefaultAccountSID, twiliotest.DefaultAuthToken
		if _, err := twilio.New(cfg); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("New with a negative %s: %v, want an error naming it", name, err)
		}
	}
}

func TestTransportReusesConnections(t *testing.T) {
	t.Parallel()
	const conc = 4
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	cfg := twilio.Config{Concurrency: conc}
	tr := twilio.NewTransport(cfg)
	t.Cleanup(tr.CloseIdleConnections)
	var dials atomic.Int64
	dial := tr.DialContext
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return dial(ctx, network, addr)
	}
	cfg.Transport = tr
	p := newProvider(t, fake, cfg)
	from := broadcast.Sender{Address: "+12065550101"}
	// Rounds of conc calls at once (more than Go's default 2 idle
	// connections per host would keep), then one at a time.
	const rounds = 20
	for round := range rounds {
		var wg sync.WaitGroup
		for i := range conc {
			wg.Go(func() {
				if _, err := p.Send(context.Background(), broadcast.Outgoing{From: from, To: "+12065550001", Body: string(rune('a' + round*conc + i))}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if _, err := p.Lookup(context.Background(), from, "+12065550001", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	// About conc: a connection goes back to the pool just after its
	// answer was read, so a call of the next round may open one more.
	// Go's default pool (2 a host) opens about 2 a round.
	if n := dials.Load(); n < 1 || n > 2*conc {
		t.Errorf("%d connections opened for %d calls, at most %d at once; want at most %d", n, rounds*(conc+1), conc, 2*conc)
	}
}

// headerTimeout is how net/http says ResponseHeaderTimeout ran out (the
// client's Timeout says "Client.Timeout exceeded").
const headerTimeout = "timeout awaiting response headers"

// stall answers no request: each waits until the client gives up.
func stall(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(srv.Close)
	return srv
}

func TestResponseHeaderTimeout(t *testing.T) {
	t.Parallel()
	t.Run("create is ambiguous", func(t *testing.T) {
		t.Parallel()
		fake := twiliotest.NewServer(twiliotest.Config{Fault: func(twiliotest.CreateRequest) twiliotest.Fault { return twiliotest.FaultSlow }})
		t.Cleanup(fake.Close)
		p := newProvider(t, fake, twilio.Config{ResponseHeaderTimeout: 50 * time.Millisecond, Timeout: 5 * time.Second})
		se := sendOnce(t, p)
		want{class: broadcast.Ambiguous}.check(t, se)
		if !strings.Contains(se.Error(), headerTimeout) {
			t.Errorf("error %v, want the response header timeout's", se)
		}
		if n := len(fake.Outbound()); n != 1 {
			t.Errorf("Twilio has %d messages, want the one whose answer was late", n)
		}
	})
	t.Run("list is retryable", func(t *testing.T) {
		t.Parallel()
		p, err := twilio.New(twilio.Config{AccountSID: twiliotest.DefaultAccountSID, AuthToken: twiliotest.DefaultAuthToken,
			APIURL: stall(t).URL, ResponseHeaderTimeout: 50 * time.Millisecond, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Lookup(context.Background(), broadcast.Sender{Address: "+12065550101"}, "+12065550001", epoch)
		var se *broadcast.SendError
		if !errors.As(err, &se) || se.Class != broadcast.Retryable || !strings.Contains(se.Error(), headerTimeout) {
			t.Errorf("Lookup = %v, want a retryable SendError for the response header timeout", err)
		}
	})
}

// TestListPastTheTimeoutIsRetryable: net/http often reports the client's
// Timeout with its own error, hiding the transport's classification.
func TestListPastTheTimeoutIsRetryable(t *testing.T) {
	t.Parallel()
	p, err := twilio.New(twilio.Config{AccountSID: twiliotest.DefaultAccountSID, AuthToken: twiliotest.DefaultAuthToken,
		APIURL: stall(t).URL, Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Received(context.Background(), "+12065550101", epoch)
	var se *broadcast.SendError
	if !errors.As(err, &se) || se.Class != broadcast.Retryable {
		t.Errorf("Received = %v, want a retryable SendError", err)
	}
}

func TestHTTP2WhereOffered(t *testing.T) {
	t.Parallel()
	var proto atomic.Value
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proto.Store(r.Proto)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"sid": "SM00000000000000000000000000000001", "status": "queued"}`))
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	cfg := twilio.Config{AccountSID: twiliotest.DefaultAccountSID, AuthToken: twiliotest.DefaultAuthToken, APIURL: srv.URL}
	tr := twilio.NewTransport(cfg)
	t.Cleanup(tr.CloseIdleConnections)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	tr.TLSClientConfig = &tls.Config{RootCAs: roots}
	cfg.Transport = tr
	p, err := twilio.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Send(context.Background(), broadcast.Outgoing{From: broadcast.Sender{Address: "+12065550101"}, To: "+12065550001", Body: "hi"}); err != nil {
		t.Fatal(err)
	}
	if got := proto.Load(); got != "HTTP/2.0" {
		t.Errorf("request over %v, want HTTP/2.0", got)
	}
}
