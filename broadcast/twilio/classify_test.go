package twilio_test

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/broadcast/twilio"
	"smsbot/broadcast/twilio/twiliotest"
)

// epoch is the clock of the classification tests, on a whole second so
// that an HTTP date in Retry-After is exact.
var epoch = time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)

// sendOnce sends one text through p and returns its *broadcast.SendError,
// failing the test if the send succeeded or the error is of another type.
func sendOnce(t *testing.T, p *twilio.Provider) *broadcast.SendError {
	t.Helper()
	_, err := p.Send(context.Background(), broadcast.Outgoing{From: broadcast.Sender{Address: "+12065550101"}, To: "+12065550001", Body: "hi"})
	var se *broadcast.SendError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *broadcast.SendError", err, err)
	}
	return se
}

// want is the expected classification of one answer.
type want struct {
	class      broadcast.ErrorClass
	code       string // "" : any
	effect     broadcast.ContactEffect
	halt       bool
	throttled  bool // one request too many for the account (20429)
	retryAfter time.Duration
}

func (w want) check(t *testing.T, se *broadcast.SendError) {
	t.Helper()
	if se.Class != w.class || (w.code != "" && se.Code != w.code) || se.Effect != w.effect || se.Halt != w.halt || se.Throttled != w.throttled || se.RetryAfter != w.retryAfter {
		t.Errorf("SendError = %+v (%v),\nwant %+v", se, se, w)
	}
}

func TestSendClassifiesTwilioAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fault   twiliotest.Fault
		invalid int           // Config.Invalid code for the recipient
		token   string        // a wrong auth token
		timeout time.Duration // the provider's Timeout
		stored  bool          // Twilio has the message afterwards
		want    want
	}{
		{name: "429 with Retry-After in seconds", fault: twiliotest.Fault429, want: want{class: broadcast.Retryable, code: "20429", throttled: true, retryAfter: 3 * time.Second}},
		{name: "429 with Retry-After as a date", fault: twiliotest.Fault429Date, want: want{class: broadcast.Retryable, code: "20429", throttled: true, retryAfter: 3 * time.Second}},
		{name: "500 JSON before create", fault: twiliotest.Fault500, want: want{class: broadcast.Ambiguous, code: "20500"}},
		{name: "502 HTML before create", fault: twiliotest.Fault502HTML, want: want{class: broadcast.Ambiguous}},
		{name: "500 JSON after create", fault: twiliotest.Fault500AfterCreate, stored: true, want: want{class: broadcast.Ambiguous, code: "20500"}},
		{name: "502 HTML after create", fault: twiliotest.Fault502AfterCreate, stored: true, want: want{class: broadcast.Ambiguous}},
		{name: "504 HTML after create", fault: twiliotest.Fault504AfterCreate, stored: true, want: want{class: broadcast.Ambiguous}},
		{name: "200 HTML after create", fault: twiliotest.Fault200HTMLAfterCreate, stored: true, want: want{class: broadcast.Ambiguous}},
		{name: "connection cut after the write", fault: twiliotest.FaultDrop, stored: true, want: want{class: broadcast.Ambiguous}},
		{name: "answer slower than the timeout", fault: twiliotest.FaultSlow, timeout: 100 * time.Millisecond, stored: true, want: want{class: broadcast.Ambiguous}},
		{name: "invalid number", invalid: 21211, want: want{class: broadcast.Permanent, code: "21211", effect: broadcast.FlagInvalid}},
		{name: "not a mobile", invalid: 21614, want: want{class: broadcast.Permanent, code: "21614", effect: broadcast.FlagInvalid}},
		{name: "opted out at the carrier", invalid: 21610, want: want{class: broadcast.Permanent, code: "21610", effect: broadcast.MarkOptedOut}},
		{name: "other refusal", invalid: 21408, want: want{class: broadcast.Permanent, code: "21408"}},
		{name: "wrong credentials", token: "wrongtoken0000", want: want{class: broadcast.Permanent, code: "20003", halt: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := clockwork.NewFakeClockAt(epoch)
			cfg := twiliotest.Config{Now: clock.Now, RetryAfter: 3 * time.Second,
				Fault: func(twiliotest.CreateRequest) twiliotest.Fault { return tt.fault }}
			if tt.invalid != 0 {
				cfg.Invalid = map[string]int{"+12065550001": tt.invalid}
			}
			fake := twiliotest.NewServer(cfg)
			t.Cleanup(fake.Close)
			p, err := twilio.New(twilio.Config{AccountSID: fake.AccountSID(), AuthToken: cmp.Or(tt.token, fake.AuthToken()),
				APIURL: fake.URL(), Now: clock.Now, Timeout: tt.timeout})
			if err != nil {
				t.Fatal(err)
			}
			tt.want.check(t, sendOnce(t, p))
			if n := len(fake.Outbound()); (n == 1) != tt.stored {
				t.Errorf("Twilio has %d messages, want stored=%v", n, tt.stored)
			}
		})
	}
}

// gateway is what answers in Twilio's place: a proxy, a load balancer, a
// captive portal. It answers every request with status, headers and body.
func gateway(t *testing.T, status int, header http.Header, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestSendClassifiesOtherAnswers(t *testing.T) {
	t.Parallel()
	html := http.Header{"Content-Type": {"text/html"}}
	json := http.Header{"Content-Type": {"application/json"}}
	too, err := twiliotest.Fixture("error_20429.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   want
	}{
		{"429 without Twilio's body", http.StatusTooManyRequests, http.Header{"Retry-After": {epoch.Add(90 * time.Second).Format(http.TimeFormat)}}, "slow down",
			want{class: broadcast.Retryable, throttled: true, retryAfter: 90 * time.Second}},
		{"429 with a past date", http.StatusTooManyRequests, http.Header{"Retry-After": {epoch.Add(-time.Minute).Format(http.TimeFormat)}}, "",
			want{class: broadcast.Retryable, throttled: true}},
		{"429 with JSON that is not Twilio's", http.StatusTooManyRequests, json, `{"error":"slow down"}`,
			want{class: broadcast.Retryable, throttled: true}},
		{"429 with Twilio's 20429", http.StatusTooManyRequests, http.Header{"Content-Type": {"application/json"}, "Retry-After": {"2"}},
			string(too),
			want{class: broadcast.Retryable, code: "20429", throttled: true, retryAfter: 2 * time.Second}},
		{"429 with another Twilio code", http.StatusTooManyRequests, http.Header{"Content-Type": {"application/json"}, "Retry-After": {"5"}},
			`{"code": 14107, "message": "Message rate exceeded", "more_info": "https://www.twilio.com/docs/errors/14107", "status": 429}`,
			want{class: broadcast.Retryable, code: "14107", retryAfter: 5 * time.Second}},
		{"503 keeps its Retry-After", http.StatusServiceUnavailable, http.Header{"Retry-After": {"120"}}, "<html>down</html>",
			want{class: broadcast.Ambiguous, retryAfter: 2 * time.Minute}},
		{"401 HTML", http.StatusUnauthorized, html, "<html>401</html>", want{class: broadcast.Permanent, halt: true}},
		{"404 HTML from a proxy", http.StatusNotFound, html, "<html>404</html>", want{class: broadcast.Ambiguous}},
		{"400 JSON that is not Twilio's", http.StatusBadRequest, json, `{"error":"bad request"}`, want{class: broadcast.Ambiguous}},
		{"413 empty", http.StatusRequestEntityTooLarge, nil, "", want{class: broadcast.Ambiguous}},
		{"302 redirect", http.StatusFound, http.Header{"Location": {"https://login.example.org/"}}, "", want{class: broadcast.Ambiguous}},
		{"201 with a cut body", http.StatusCreated, json, `{"sid": "SMaaaa`, want{class: broadcast.Ambiguous}},
		{"201 without a SID", http.StatusCreated, json, `{}`, want{class: broadcast.Ambiguous}},
		{"200 plain text", http.StatusOK, http.Header{"Content-Type": {"text/plain"}}, "OK", want{class: broadcast.Ambiguous}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := gateway(t, tt.status, tt.header, tt.body)
			clock := clockwork.NewFakeClockAt(epoch)
			p, err := twilio.New(twilio.Config{AccountSID: twiliotest.DefaultAccountSID, AuthToken: twiliotest.DefaultAuthToken, APIURL: srv.URL, Now: clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			tt.want.check(t, sendOnce(t, p))
		})
	}
}

func TestConnectionRefusedIsRetryable(t *testing.T) {
	t.Parallel()
	fake := twiliotest.NewServer(twiliotest.Config{})
	p := newProvider(t, fake, twilio.Config{})
	fake.Close() // nothing listens any more
	want{class: broadcast.Retryable}.check(t, sendOnce(t, p))
}

func TestLookupFailuresAreErrors(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout} {
		srv := gateway(t, status, http.Header{"Content-Type": {"text/html"}}, "<html><body>gateway</body></html>")
		p, err := twilio.New(twilio.Config{AccountSID: twiliotest.DefaultAccountSID, AuthToken: twiliotest.DefaultAuthToken, APIURL: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		got, err := p.Lookup(context.Background(), broadcast.Sender{Address: "+12065550101"}, "+12065550001", epoch)
		var se *broadcast.SendError
		if !errors.As(err, &se) || se.Class != broadcast.Retryable || got != nil {
			t.Errorf("%d on the list: Lookup = %v, %v; want no texts and a retryable error", status, got, err)
		}
	}
}
