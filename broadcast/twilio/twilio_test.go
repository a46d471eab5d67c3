package twilio_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/broadcast/twilio"
	"smsbot/broadcast/twilio/twiliotest"
)

func newProvider(t *testing.T, fake *twiliotest.Server, cfg twilio.Config) *twilio.Provider {
	t.Helper()
	cfg.AccountSID, cfg.AuthToken, cfg.APIURL = fake.AccountSID(), fake.AuthToken(), fake.URL()
	p, err := twilio.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSendSetsFromServiceAndStatusCallback(t *testing.T) {
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	p := newProvider(t, fake, twilio.Config{StatusCallback: "https://sms.example.org/twilio/status"})
	ctx := context.Background()
	if _, err := p.Send(ctx, broadcast.Outgoing{From: broadcast.Sender{Address: "+12065550101"}, To: "+12065550001", Body: "a"}); err != nil {
		t.Fatal(err)
	}
	mg := "MG0123456789abcdef0123456789abcdef"
	if _, err := p.Send(ctx, broadcast.Outgoing{From: broadcast.Sender{Address: mg}, To: "+12065550002", Body: "b"}); err != nil {
		t.Fatal(err)
	}
	got := fake.Outbound()
	if got[0].From != "+12065550101" || got[0].MessagingServiceSID != "" || got[0].StatusCallback != "https://sms.example.org/twilio/status" {
		t.Errorf("number send = %+v", got[0])
	}
	if got[1].MessagingServiceSID != mg {
		t.Errorf("service send = %+v", got[1])
	}
}

func TestLookupFindsSentTexts(t *testing.T) {
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	p := newProvider(t, fake, twilio.Config{})
	ctx := context.Background()
	from := broadcast.Sender{Address: "+12065550101"}
	sid, err := p.Send(ctx, broadcast.Outgoing{From: from, To: "+12065550001", Body: "Doors open"})
	if err != nil {
		t.Fatal(err)
	}
	fake.AddInbound("+12065550001", "+12065550101", "Doors open") // a reply, not ours
	got, err := p.Lookup(ctx, from, "+12065550001", time.Now().Add(-time.Hour))
	if err != nil || len(got) != 1 || got[0].SID != sid || got[0].Body != "Doors open" {
		t.Fatalf("Lookup = %+v, %v", got, err)
	}
}

func TestBadCredentialsHalt(t *testing.T) {
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	p, err := twilio.New(twilio.Config{AccountSID: fake.AccountSID(), AuthToken: "wrongtoken0000", APIURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Send(context.Background(), broadcast.Outgoing{From: broadcast.Sender{Address: "+12065550101"}, To: "+12065550001", Body: "hi"})
	var se *broadcast.SendError
	if !errors.As(err, &se) || !se.Halt || se.Class != broadcast.Permanent || !strings.Contains(se.Message, "TWILIO_AUTH_TOKEN") {
		t.Fatalf("err = %#v", err)
	}
}
