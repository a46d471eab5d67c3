package twiliotest_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"smsbot/broadcast/twilio/twiliotest"
)

func TestTwilioHeadersOnEveryAnswer(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{Fault: func(r twiliotest.CreateRequest) twiliotest.Fault {
		switch r.Body {
		case "limited":
			return twiliotest.Fault429
		case "gateway":
			return twiliotest.Fault502HTML
		}
		return twiliotest.FaultNone
	}})
	m, err := b.send(alice, bob, "hi")
	if err != nil {
		t.Fatal(err)
	}
	acct := "/2010-04-01/Accounts/" + b.srv.AccountSID()
	create := func(body string) url.Values { return url.Values{"From": {alice}, "To": {bob}, "Body": {body}} }
	tests := []struct {
		name, method, path string
		form               url.Values
		token              string // "" for the right one
		status             int
		twilio             bool // Twilio's headers expected; false for a gateway's page
	}{
		{"create", http.MethodPost, acct + "/Messages.json", create("hello"), "", http.StatusCreated, true},
		{"list", http.MethodGet, acct + "/Messages.json?PageSize=1", nil, "", http.StatusOK, true},
		{"fetch", http.MethodGet, acct + "/Messages/" + *m.Sid + ".json", nil, "", http.StatusOK, true},
		{"fetch missing", http.MethodGet, acct + "/Messages/SMnone.json", nil, "", http.StatusNotFound, true},
		{"invalid create", http.MethodPost, acct + "/Messages.json", url.Values{"To": {bob}}, "", http.StatusBadRequest, true},
		{"wrong token", http.MethodGet, acct + "/Messages.json", nil, "wrong", http.StatusUnauthorized, true},
		{"outside the API", http.MethodGet, "/2010-04-01/Other.json", nil, "", http.StatusNotFound, true},
		{"method", http.MethodDelete, acct + "/Messages.json", nil, "", http.StatusMethodNotAllowed, true},
		{"scripted 429", http.MethodPost, acct + "/Messages.json", create("limited"), "", http.StatusTooManyRequests, true},
		{"gateway page", http.MethodPost, acct + "/Messages.json", create("gateway"), "", http.StatusBadGateway, false},
	}
	ids := map[string]bool{}
	for _, tt := range tests {
		req, err := http.NewRequestWithContext(context.Background(), tt.method, b.srv.URL()+tt.path, strings.NewReader(tt.form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		token := b.srv.AuthToken()
		if tt.token != "" {
			token = tt.token
		}
		req.SetBasicAuth(b.srv.AccountSID(), token)
		res, err := b.rt.base.RoundTrip(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		h := res.Header
		id, conc, dur := h.Get("Twilio-Request-Id"), h.Get("Twilio-Concurrent-Requests"), h.Get("Twilio-Request-Duration")
		switch {
		case res.StatusCode != tt.status:
			t.Errorf("%s: status %d, want %d", tt.name, res.StatusCode, tt.status)
		case !tt.twilio:
			if id != "" || conc != "" || dur != "" {
				t.Errorf("%s: a gateway's page has Twilio's headers %q %q %q", tt.name, id, conc, dur)
			}
		case !requestID.MatchString(id) || ids[id]:
			t.Errorf("%s: Twilio-Request-Id %q, want a new RQ…", tt.name, id)
		case conc != "1":
			t.Errorf("%s: Twilio-Concurrent-Requests %q, want 1 (the only request)", tt.name, conc)
		case !duration.MatchString(dur):
			t.Errorf("%s: Twilio-Request-Duration %q, want seconds like 0.080", tt.name, dur)
		}
		ids[id] = true
	}
}
