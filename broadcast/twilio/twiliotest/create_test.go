package twiliotest_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"smsbot/broadcast/twilio/twiliotest"
)

func TestCreate(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{})

	p := &openapi.CreateMessageParams{}
	p.SetFrom("+15550001111").SetTo("+15550002222").SetBody("hello").SetStatusCallback("https://example.com/cb")
	got, err := b.api.CreateMessage(p)
	if err != nil {
		t.Fatal(err)
	}
	sid := *got.Sid
	if !strings.HasPrefix(sid, "SM") || len(sid) != 34 {
		t.Errorf("sid = %q, want SM + 32 hex", sid)
	}
	wantDate := "Mon, 10 Mar 2025 12:00:00 +0000"
	checks := map[string][2]string{
		"account_sid":  {*got.AccountSid, twiliotest.DefaultAccountSID},
		"api_version":  {*got.ApiVersion, "2010-04-01"},
		"body":         {*got.Body, "hello"},
		"date_created": {*got.DateCreated, wantDate},
		"date_updated": {*got.DateUpdated, wantDate},
		"direction":    {*got.Direction, "outbound-api"},
		"from":         {*got.From, "+15550001111"},
		"to":           {*got.To, "+15550002222"},
		"status":       {*got.Status, "queued"},
		"num_media":    {*got.NumMedia, "0"},
		"num_segments": {*got.NumSegments, "1"},
		"price_unit":   {*got.PriceUnit, "USD"},
		"uri":          {*got.Uri, "/2010-04-01/Accounts/" + twiliotest.DefaultAccountSID + "/Messages/" + sid + ".json"},
	}
	for field, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %q, want %q", field, c[0], c[1])
		}
	}
	if got.ErrorCode != nil || got.Price != nil || got.MessagingServiceSid != nil || got.DateSent != nil {
		t.Errorf("error_code, price, messaging_service_sid, date_sent = %v, %v, %v, %v; want nulls",
			got.ErrorCode, got.Price, got.MessagingServiceSid, got.DateSent)
	}

	m := b.next(t)
	if m.SID != sid || m.StatusCallback != "https://example.com/cb" || !m.DateCreated.Equal(b.clock.Now()) {
		t.Errorf("Created sent %+v", m)
	}
	if out := b.srv.Outbound(); len(out) != 1 || out[0].SID != sid {
		t.Errorf("Outbound() = %+v, want the one message", out)
	}
	if n := b.srv.Requests(); n != 1 {
		t.Errorf("Requests() = %d, want 1", n)
	}
}

func TestCreateWithMessagingService(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{})
	body := strings.Repeat("x", 161)

	p := &openapi.CreateMessageParams{}
	p.SetMessagingServiceSid("MG00000000000000000000000000000001").SetTo("+15550002222").SetBody(body)
	got, err := b.api.CreateMessage(p)
	if err != nil {
		t.Fatal(err)
	}
	if *got.From != twiliotest.DefaultServiceNumber || *got.MessagingServiceSid != "MG00000000000000000000000000000001" {
		t.Errorf("from, messaging_service_sid = %q, %q", *got.From, *got.MessagingServiceSid)
	}
	if *got.NumSegments != "2" {
		t.Errorf("num_segments = %q for 161 chars, want 2", *got.NumSegments)
	}
	if *got.Status != "accepted" || got.DateSent != nil {
		t.Errorf("status, date_sent = %q, %v; want accepted, null", *got.Status, got.DateSent)
	}
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    *openapi.CreateMessageParams
		code int
	}{
		{"no To", new(openapi.CreateMessageParams).SetFrom("+15550001111").SetBody("hi"), 21604},
		{"no sender", new(openapi.CreateMessageParams).SetTo("+15550002222").SetBody("hi"), 21603},
		{"two senders", new(openapi.CreateMessageParams).SetFrom("+15550001111").SetMessagingServiceSid("MG1").SetTo("+15550002222").SetBody("hi"), 21606},
		{"no body", new(openapi.CreateMessageParams).SetFrom("+15550001111").SetTo("+15550002222"), 21602},
		{"body too long", new(openapi.CreateMessageParams).SetFrom("+15550001111").SetTo("+15550002222").SetBody(strings.Repeat("é", 1601)), 21617},
	}
	b := setup(t, twiliotest.Config{})
	for _, tt := range tests {
		_, err := b.api.CreateMessage(tt.p)
		if re := restError(t, err); re.Code != tt.code || re.Status != http.StatusBadRequest {
			t.Errorf("%s: code, status = %d, %d; want %d, 400", tt.name, re.Code, re.Status, tt.code)
		}
	}
	if _, err := b.api.CreateMessage(new(openapi.CreateMessageParams).SetFrom("+15550001111").SetTo("+15550002222").SetMediaUrl([]string{"https://example.com/a.png"})); err != nil {
		t.Errorf("media without body: %v", err)
	}
	if n := len(b.srv.Outbound()); n != 1 {
		t.Errorf("%d messages stored, want only the media one", n)
	}
	if n := b.srv.Requests(); n != len(tests)+1 {
		t.Errorf("Requests() = %d, want %d", n, len(tests)+1)
	}
}

func TestCreateInvalidNumber(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{Invalid: map[string]int{"+15005550001": 21211, "+15005550009": 21614}})

	_, err := b.send("+15550001111", "+15005550001", "hi")
	re := restError(t, err)
	if re.Code != 21211 || re.Status != 400 || re.MoreInfo != "https://www.twilio.com/docs/errors/21211" {
		t.Errorf("error = %+v, want 21211/400", re)
	}
	if n := len(b.srv.Messages()); n != 0 {
		t.Errorf("%d messages stored, want 0", n)
	}
}

func TestCreateFault429ThenSuccess(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{Fault: func(r twiliotest.CreateRequest) twiliotest.Fault {
		if r.Attempt == 1 {
			return twiliotest.Fault429
		}
		return twiliotest.FaultNone
	}})

	_, err := b.send("+15550001111", "+15550002222", "hi")
	if re := restError(t, err); re.Code != 20429 || re.Status != http.StatusTooManyRequests {
		t.Errorf("error = %+v, want 20429/429", re)
	}
	if n := len(b.srv.Messages()); n != 0 {
		t.Fatalf("%d messages stored after 429, want 0", n)
	}
	if _, err := b.send("+15550001111", "+15550002222", "hi"); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	if n := len(b.srv.Outbound()); n != 1 {
		t.Errorf("%d messages stored, want 1", n)
	}

	// A different body is a different message: its first attempt faults.
	res, err := b.do(t, context.Background(), http.MethodPost, "/2010-04-01/Accounts/"+b.srv.AccountSID()+"/Messages.json",
		url.Values{"From": {"+15550001111"}, "To": {"+15550002222"}, "Body": {"other"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "1" {
		t.Errorf("status, Retry-After = %d, %q; want 429, 1", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if n := b.srv.Requests(); n != 3 {
		t.Errorf("Requests() = %d, want 3", n)
	}
}

func TestCreateFault500(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{Fault: func(twiliotest.CreateRequest) twiliotest.Fault { return twiliotest.Fault500 }})

	_, err := b.send("+15550001111", "+15550002222", "hi")
	if re := restError(t, err); re.Code != 20500 || re.Status != http.StatusInternalServerError {
		t.Errorf("error = %+v, want 20500/500", re)
	}
	if n := len(b.srv.Messages()); n != 0 {
		t.Errorf("%d messages stored, want 0", n)
	}
}

func TestBadAuth(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{})
	bad := b.client(b.srv.AccountSID(), "wrongtoken", b.rt)

	_, err := bad.CreateMessage(new(openapi.CreateMessageParams).SetFrom("+15550001111").SetTo("+15550002222").SetBody("hi"))
	if re := restError(t, err); re.Code != 20003 || re.Status != http.StatusUnauthorized {
		t.Errorf("create error = %+v, want 20003/401", re)
	}
	_, err = bad.ListMessage(nil)
	if re := restError(t, err); re.Status != http.StatusUnauthorized {
		t.Errorf("list error = %+v, want 401", re)
	}
	if n := len(b.srv.Messages()); n != 0 {
		t.Errorf("%d messages stored, want 0", n)
	}
	if n := b.srv.Requests(); n != 1 {
		t.Errorf("Requests() = %d, want 1 (rejected requests count)", n)
	}
}

func TestConcurrentCreates(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{})
	const n = 64

	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if _, err := b.send("+15550001111", "+15550002222", "msg "+strconv.Itoa(i)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()

	seen := map[string]bool{}
	for range n {
		seen[b.next(t).SID] = true
	}
	if len(seen) != n || len(b.srv.Outbound()) != n || b.srv.Requests() != n {
		t.Errorf("unique SIDs %d, stored %d, requests %d; want %d each", len(seen), len(b.srv.Outbound()), b.srv.Requests(), n)
	}
}
