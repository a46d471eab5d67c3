package inbound_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"smsbot/broadcast"
	"smsbot/inbound"
)

// twilio-go's published example, through the webhook's verification.
func TestSignatureOfTwiliosExample(t *testing.T) {
	b := setup(t)
	h := inbound.NewWebhooks(b.svc, "12345", "https://mycompany.com")
	reached := 0
	handler := h.Verify(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached++ }))
	form := url.Values{"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+14158675309"}, "Digits": {"1234"},
		"From": {"+14158675309"}, "To": {"+18005551212"}}
	for _, tt := range []struct {
		sig  string
		code int
	}{
		{"RSOYDt4T1cUTdK1PDd93/VVr8B8=", http.StatusOK},
		{"RSOYDt4T1cUTdK1PDd93/VVr8B9=", http.StatusForbidden},
		{"", http.StatusForbidden},
	} {
		req := httptest.NewRequest(http.MethodPost, "/myapp.php?foo=1&bar=2", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", tt.sig)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != tt.code {
			t.Errorf("signature %q: %d, want %d", tt.sig, rec.Code, tt.code)
		}
	}
	if reached != 1 {
		t.Fatalf("handler reached %d times, want 1", reached)
	}
}

func TestForgedWebhooksChangeNothing(t *testing.T) {
	b := setup(t)
	form := incoming(t, "+12065550001", "SM00000000000000000000000000000001", "STOP")
	for _, sig := range []string{"forged", sign("wrong-token", b.server.URL+"/twilio/inbound", form),
		sign(authToken, "https://elsewhere.example/twilio/inbound", form)} {
		if code, _ := b.post(t, "/twilio/inbound", form, sig); code != http.StatusForbidden {
			t.Fatalf("signature %q answered %d, want 403", sig, code)
		}
	}
	// A field changed after signing.
	good := sign(authToken, b.server.URL+"/twilio/inbound", form)
	form.Set("Body", "START")
	if code, _ := b.post(t, "/twilio/inbound", form, good); code != http.StatusForbidden {
		t.Fatalf("tampered body answered %d, want 403", code)
	}
	if n := b.count(t, "inbound_messages"); n != 0 {
		t.Fatalf("%d texts stored from forged requests", n)
	}
	if c, err := b.store.Contact(context.Background(), "+12065550001"); err != nil || c.OptedOutAt != nil {
		t.Fatalf("after a forged STOP: contact %+v, %v", c, err)
	}
	if len(b.staff.all()) != 0 {
		t.Fatal("a forged text was relayed")
	}
}

func TestReplayedWebhookIsStoredOnce(t *testing.T) {
	b := setup(t)
	form := incoming(t, "+12065550001", "SM00000000000000000000000000000002", "Which room is dinner in?")
	code, first := b.post(t, "/twilio/inbound", form, "")
	if code != http.StatusOK || !strings.Contains(first, "<Message>Thanks, we got it!</Message>") {
		t.Fatalf("first delivery: %d %s", code, first)
	}
	code, second := b.post(t, "/twilio/inbound", form, "")
	if code != http.StatusOK || strings.Contains(second, "<Message>") {
		t.Fatalf("replay: %d %s", code, second)
	}
	if n := b.count(t, "inbound_messages"); n != 1 {
		t.Fatalf("%d rows for one text", n)
	}
	posts := b.staff.all()
	if len(posts) != 1 || !strings.Contains(posts[0].msg.Title, "Ada (+12065550001)") ||
		!strings.Contains(posts[0].msg.Text, "Which room is dinner in?") {
		t.Fatalf("relayed %+v", posts)
	}
}

func TestStopAndStartApplyToBroadcasts(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	code, twiml := b.post(t, "/twilio/inbound", incoming(t, "+12065550001", "SM00000000000000000000000000000003", " stop "), "")
	if code != http.StatusOK || strings.Contains(twiml, "<Message>") {
		t.Fatalf("STOP answered %d %s; Twilio answers STOP itself", code, twiml)
	}
	if _, err := b.store.AddMember(ctx, "crew", "+12065550002", "Grace", "test"); err != nil {
		t.Fatal(err)
	}
	p, err := b.engine.Prepare(ctx, broadcast.Draft{List: "crew", Body: "Dinner!", RequestedBy: "alice"})
	if err != nil || p.Audience.OptedOut != 1 || p.Recipients() != 1 {
		t.Fatalf("preview after STOP: %+v, %v", p.Audience, err)
	}
	posts := b.staff.all()
	if len(posts) != 1 || !strings.Contains(posts[0].msg.Text, "opted out") {
		t.Fatalf("staff notice: %+v", posts)
	}

	b.mustPost(t, "/twilio/inbound", incoming(t, "+12065550001", "SM00000000000000000000000000000004", "START"), http.StatusOK)
	p, err = b.engine.Prepare(ctx, broadcast.Draft{List: "crew", Body: "Dinner!", RequestedBy: "alice"})
	if err != nil || p.Audience.OptedOut != 0 || p.Recipients() != 2 {
		t.Fatalf("preview after START: %+v, %v", p.Audience, err)
	}
}

// Two automatic responders never loop: the contact's bot answering our
// auto-reply gets no second auto-reply within 12 hours.
func TestAutoReplyDoesNotLoop(t *testing.T) {
	b := setup(t)
	replies := 0
	for i, body := range []string{"hi", "Auto-reply: I am away", "Auto-reply: I am away", "Auto-reply: I am away"} {
		sid := "SM0000000000000000000000000000010" + string(rune('0'+i))
		twiml := b.mustPost(t, "/twilio/inbound", incoming(t, "+12065550001", sid, body), http.StatusOK)
		if strings.Contains(twiml, "<Message>") {
			replies++
		}
	}
	if replies != 1 {
		t.Fatalf("%d auto-replies, want 1", replies)
	}
	b.clock.Advance(12 * 3600e9)
	if twiml := b.mustPost(t, "/twilio/inbound", incoming(t, "+12065550001", "SM00000000000000000000000000000200", "back again"), http.StatusOK); !strings.Contains(twiml, "<Message>") {
		t.Fatal("no auto-reply 12 hours later")
	}
	// Every text still reached staff, all in one thread.
	posts := b.staff.all()
	if len(posts) != 5 {
		t.Fatalf("%d relays, want 5", len(posts))
	}
	for _, p := range posts[1:] {
		if p.thread != "t1" {
			t.Fatalf("later texts went to thread %q, want t1", p.thread)
		}
	}
}

func TestHelpGetsTheHelpReply(t *testing.T) {
	b := setup(t)
	twiml := b.mustPost(t, "/twilio/inbound", incoming(t, "+12065550001", "SM00000000000000000000000000000300", "Help"), http.StatusOK)
	if !strings.Contains(twiml, "<Message>"+inbound.DefaultHelpReply+"</Message>") {
		t.Fatalf("HELP answered %s", twiml)
	}
}

func TestMediaLinksAreRelayed(t *testing.T) {
	b := setup(t)
	form := incoming(t, "+12065550077", "SM00000000000000000000000000000400", "look at this")
	form.Set("NumMedia", "2")
	form.Set("MediaUrl0", "https://api.twilio.com/media/ME1")
	form.Set("MediaUrl1", "https://api.twilio.com/media/ME2")
	b.mustPost(t, "/twilio/inbound", form, http.StatusOK)
	posts := b.staff.all()
	if len(posts) != 1 {
		t.Fatalf("relays: %+v", posts)
	}
	var fields []string
	for _, f := range posts[0].msg.Fields {
		fields = append(fields, f.Label+"="+f.Value)
	}
	got := strings.Join(fields, " ")
	if !strings.Contains(got, "Media 1=https://api.twilio.com/media/ME1") || !strings.Contains(got, "Media 2=https://api.twilio.com/media/ME2") {
		t.Fatalf("fields: %s", got)
	}
}

func TestRelayFailureIsRetried(t *testing.T) {
	b := setup(t)
	b.staff.failAt = 1
	b.mustPost(t, "/twilio/inbound", incoming(t, "+12065550001", "SM00000000000000000000000000000500", "anyone there?"), http.StatusOK)
	if len(b.staff.all()) != 0 {
		t.Fatal("relayed although the chat was down")
	}
	if err := b.svc.RelayPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	if posts := b.staff.all(); len(posts) != 1 || !strings.Contains(posts[0].msg.Text, "anyone there?") {
		t.Fatalf("after retry: %+v", posts)
	}
	if err := b.svc.RelayPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(b.staff.all()); n != 1 {
		t.Fatalf("%d relays of one text", n)
	}
}
