package twiliotest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"smsbot/broadcast/twilio/twiliotest"
)

// post sends one raw create request and returns the answer's status,
// headers and body, failing the test on a transport error.
func (b *testBundle) post(t *testing.T) (int, http.Header, []byte) {
	t.Helper()
	res, err := b.do(t, context.Background(), http.MethodPost, "/2010-04-01/Accounts/"+b.srv.AccountSID()+"/Messages.json",
		url.Values{"From": {alice}, "To": {bob}, "Body": {"hi"}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, body
}

// fixture reads a recorded payload, failing the test if it is missing.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := twiliotest.Fixture(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGatewayFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fault       twiliotest.Fault
		status      int
		contentType string
		page        string // fixture the body must equal; "" for Twilio JSON
		stored      bool
	}{
		{twiliotest.Fault502HTML, http.StatusBadGateway, "text/html", "gateway_502.html", false},
		{twiliotest.Fault500AfterCreate, http.StatusInternalServerError, "application/json; charset=utf-8", "", true},
		{twiliotest.Fault502AfterCreate, http.StatusBadGateway, "text/html", "gateway_502.html", true},
		{twiliotest.Fault504AfterCreate, http.StatusGatewayTimeout, "text/html", "gateway_504.html", true},
		{twiliotest.Fault200HTMLAfterCreate, http.StatusOK, "text/html", "proxy_200.html", true},
	}
	for _, tt := range tests {
		t.Run(tt.fault.String(), func(t *testing.T) {
			t.Parallel()
			b := setup(t, twiliotest.Config{Fault: always(tt.fault)})
			status, h, body := b.post(t)
			if status != tt.status || h.Get("Content-Type") != tt.contentType {
				t.Errorf("status %d, Content-Type %q; want %d, %q", status, h.Get("Content-Type"), tt.status, tt.contentType)
			}
			if tt.page != "" && !bytes.Equal(body, fixture(t, tt.page)) {
				t.Errorf("body = %q, want testdata/twilio/%s", body, tt.page)
			}
			if n := len(b.srv.Outbound()); (n == 1) != tt.stored {
				t.Errorf("%d messages stored, want stored=%v", n, tt.stored)
			}
		})
	}
}

func TestFault429RetryAfter(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{RetryAfter: 1500 * time.Millisecond, Fault: func(r twiliotest.CreateRequest) twiliotest.Fault {
		if r.Attempt == 1 {
			return twiliotest.Fault429
		}
		return twiliotest.Fault429Date
	}})
	status, h, _ := b.post(t)
	if status != http.StatusTooManyRequests || h.Get("Retry-After") != "2" {
		t.Errorf("Fault429: %d, Retry-After %q; want 429, 2 (1.5s rounded up)", status, h.Get("Retry-After"))
	}
	status, h, _ = b.post(t)
	want := b.clock.Now().Add(1500 * time.Millisecond).Truncate(time.Second).Format(http.TimeFormat)
	if status != http.StatusTooManyRequests || h.Get("Retry-After") != want {
		t.Errorf("Fault429Date: %d, Retry-After %q; want 429, %q", status, h.Get("Retry-After"), want)
	}
	if n := len(b.srv.Messages()); n != 0 {
		t.Errorf("%d messages stored after 429s, want 0", n)
	}
}

func TestFaultSlowOutlastsTheClientTimeout(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{Fault: always(twiliotest.FaultSlow)})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond) // the client's timeout
	defer cancel()
	api := b.client(b.srv.AccountSID(), b.srv.AuthToken(), b.transport(t, ctx))

	done := b.sendAsync(api)
	m := b.next(t)
	select {
	case r := <-done:
		if !errors.Is(r.err, context.DeadlineExceeded) {
			t.Errorf("error = %v, want the client's deadline", r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the slow answer did not end at the client's timeout")
	}
	if got, ok := b.srv.Find(m.SID); !ok || got.To != "+15550002222" {
		t.Errorf("Find(%s) = %+v, %v; want the message stored", m.SID, got, ok)
	}
}

func TestFaultSlowClose(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{Fault: always(twiliotest.FaultSlow)})
	done := b.sendAsync(b.api)
	b.next(t)
	b.srv.Release() // does not answer a slow request
	select {
	case r := <-done:
		t.Fatalf("slow request answered before the client gave up: %+v", r)
	default:
	}
	b.srv.Close()
	select {
	case r := <-done:
		if r.err == nil || restErrorOrNil(r.err) != nil {
			t.Errorf("error = %v, want a transport error", r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not end the slow request")
	}
}
