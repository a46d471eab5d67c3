package inbound_test

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
)

// FuzzInboundWebhook throws arbitrary forms at POST /twilio/inbound, signed
// or not. Unsigned ones must be refused; signed ones must be answered
// without a crash, a text with a SID and a sender stored at most once.
func FuzzInboundWebhook(f *testing.F) {
	raw, err := os.ReadFile("testdata/incoming_sms.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(strings.TrimSpace(string(raw)), true)
	f.Add("MessageSid=SM1&From=%2B12065550001&Body=STOP", true)
	f.Add("MessageSid=SM2&From=%2B12065550001&Body=&NumMedia=99&MediaUrl0=x", true)
	f.Add("Body=no+sid", true)
	f.Add("%zz=&&&", false)
	b := setup(f)
	f.Fuzz(func(t *testing.T, body string, signed bool) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return // not a form: Twilio never sends one
		}
		sig := "unsigned"
		if signed {
			sig = sign(authToken, b.server.URL+"/twilio/inbound", form)
		}
		code, reply := b.post(t, "/twilio/inbound", form, sig)
		switch {
		case !signed && code != http.StatusForbidden:
			t.Fatalf("unsigned request answered %d", code)
		case signed && (form.Get("MessageSid") == "" || form.Get("From") == "") && code != http.StatusBadRequest:
			t.Fatalf("signed request without MessageSid or From answered %d", code)
		case signed && code == http.StatusOK && !strings.Contains(reply, "<Response"):
			t.Fatalf("answer is not TwiML: %q", reply)
		case code >= 500 && code != http.StatusInternalServerError:
			t.Fatalf("answered %d", code)
		}
	})
}

// FuzzStatusCallback does the same for POST /twilio/status.
func FuzzStatusCallback(f *testing.F) {
	raw, err := os.ReadFile("testdata/status_callback.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(strings.TrimSpace(string(raw)))
	f.Add("MessageSid=SM1&MessageStatus=failed&ErrorCode=30005")
	f.Add("MessageStatus=delivered")
	b := setup(f)
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		if code, _ := b.post(t, "/twilio/status", form, ""); code != http.StatusNoContent {
			t.Fatalf("signed callback answered %d", code)
		}
		if code, _ := b.post(t, "/twilio/status", form, "forged"); code != http.StatusForbidden {
			t.Fatalf("forged callback answered %d", code)
		}
	})
}
