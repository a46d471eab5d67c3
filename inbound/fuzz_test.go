package inbound_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"smsbot/inbound"
)

// FuzzInboundWebhook throws arbitrary forms at POST /twilio/inbound, signed
// or not. Unsigned ones get 403 and store nothing; signed ones without a
// Twilio SID or a sender get 400 and store nothing; every other one gets
// 200 with TwiML, is stored exactly once (as a text or a dead letter),
// and a replay of it stores, relays and answers nothing more. No 5xx.
func FuzzInboundWebhook(f *testing.F) {
	f.Add(webhookForm(f, "incoming_sms.txt").Encode(), true)
	f.Add("MessageSid=SM00000000000000000000000000000001&From=%2B12065550001&Body=STOP", true)
	f.Add("MessageSid=SM00000000000000000000000000000002&From=%2B12065550001&Body=&NumMedia=99&MediaUrl0=x", true)
	f.Add("MessageSid=SM00000000000000000000000000000003&From=%2B12065550001&Body=a%00b%07c%0D%0Ad", true)
	f.Add("MessageSid=SM0000000000000000000000000000000%00&From=%2B12065550001&Body=hi", true)
	f.Add("MessageSid=SM00000000000000000000000000000004&From=%00&Body=hi", true)
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
		sid := strings.TrimSpace(inbound.CleanField(form.Get("MessageSid")))
		valid := inbound.ValidSID(sid) && strings.TrimSpace(inbound.CleanField(form.Get("From"))) != ""
		storedBefore, relaysBefore := b.stored(t, sid), len(b.staff.all())

		code, reply := b.post(t, "/twilio/inbound", form, sig)
		switch {
		case code >= 500:
			t.Fatalf("answered %d %q", code, reply)
		case !signed && code != http.StatusForbidden:
			t.Fatalf("unsigned request answered %d", code)
		case signed && !valid && code != http.StatusBadRequest:
			t.Fatalf("signed request without a valid MessageSid or From answered %d", code)
		case signed && valid && (code != http.StatusOK || !strings.Contains(reply, "<Response")):
			t.Fatalf("signed request answered %d %q", code, reply)
		}
		if !signed || !valid {
			if n := b.stored(t, sid); n != storedBefore {
				t.Fatalf("a refused request changed what is stored under its SID: %d to %d", storedBefore, n)
			}
			return
		}
		code, replay := b.post(t, "/twilio/inbound", form, sig)
		if code != http.StatusOK || strings.Contains(replay, "<Message>") {
			t.Fatalf("replay answered %d %q", code, replay)
		}
		if n := b.stored(t, sid); n != 1 {
			t.Fatalf("SID %q stored %d times", sid, n)
		}
		if grew := len(b.staff.all()) - relaysBefore; grew > 1 {
			t.Fatalf("one text relayed %d times", grew)
		}
	})
}

// stored counts the texts and dead letters stored under sid.
func (b *bundle) stored(t testing.TB, sid string) int {
	t.Helper()
	var n int
	err := b.store.DB().NewRaw(`SELECT (SELECT COUNT(*) FROM inbound_messages WHERE sid = ?) + (SELECT COUNT(*) FROM dead_letters WHERE sid = ?)`, sid, sid).
		Scan(context.Background(), &n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// FuzzStatusCallback does the same for POST /twilio/status: a signed
// callback gets 204, or 400 when its MessageSid is not a Twilio SID; a
// forged one gets 403. Never a 5xx.
func FuzzStatusCallback(f *testing.F) {
	f.Add(webhookForm(f, "status_callback.txt").Encode())
	f.Add("MessageSid=SM00000000000000000000000000000001&MessageStatus=failed&ErrorCode=30005")
	f.Add("MessageSid=SM00000000000000000000000000000001&MessageStatus=delivered&ErrorCode=%00")
	f.Add("MessageStatus=delivered")
	b := setup(f)
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		want := http.StatusNoContent
		if !inbound.ValidSID(form.Get("MessageSid")) {
			want = http.StatusBadRequest
		}
		if code, answer := b.post(t, "/twilio/status", form, ""); code != want {
			t.Fatalf("signed callback answered %d %q, want %d", code, answer, want)
		}
		if code, _ := b.post(t, "/twilio/status", form, "forged"); code != http.StatusForbidden {
			t.Fatalf("forged callback answered %d", code)
		}
	})
}
