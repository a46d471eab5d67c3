package twilio_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"smsbot/broadcast/twilio"
	"smsbot/broadcast/twilio/twiliotest"
	"smsbot/inbound"
)

// sniffer records each request's path and whether it carried
// credentials, and can hide the length of the CDN's answers.
type sniffer struct {
	base       http.RoundTripper
	hideLength bool

	mu   sync.Mutex
	seen []string // "path auth" or "path -"
}

func (s *sniffer) RoundTrip(r *http.Request) (*http.Response, error) {
	auth := "-"
	if r.Header.Get("Authorization") != "" {
		auth = "auth"
	}
	s.mu.Lock()
	s.seen = append(s.seen, r.URL.Path+" "+auth)
	s.mu.Unlock()
	resp, err := s.base.RoundTrip(r)
	if err == nil && s.hideLength && strings.HasPrefix(r.URL.Path, "/cdn/") {
		resp.ContentLength = -1 // as a chunked answer
		resp.Header.Del("Content-Length")
	}
	return resp, err
}

func (s *sniffer) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.seen)
}

func mediaProvider(t *testing.T, fake *twiliotest.Server, s *sniffer) *twilio.Provider {
	t.Helper()
	s.base = http.DefaultTransport
	p, err := twilio.New(twilio.Config{AccountSID: fake.AccountSID(), AuthToken: fake.AuthToken(), APIURL: fake.URL(), Transport: s})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The Media list polling gives lists the files' URLs; each file is
// fetched with the account's credentials from Twilio, and without them
// from the CDN Twilio redirects to.
func TestFetchMediaOfAnMMS(t *testing.T) {
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	photo, card := bytes.Repeat([]byte{0xff, 0xd8}, 700), []byte("BEGIN:VCARD\nFN:Ada\nEND:VCARD\n")
	m := fake.AddInboundMMS("+12065550001", "+12065550101", "", twiliotest.MediaFile{ContentType: "image/jpeg", Data: photo},
		twiliotest.MediaFile{ContentType: "text/vcard", Data: card})
	s := &sniffer{}
	p := mediaProvider(t, fake, s)
	ctx := context.Background()
	list := "https://api.twilio.com/2010-04-01/Accounts/" + fake.AccountSID() + "/Messages/" + m.SID + "/Media.json"
	urls, err := p.MediaFiles(ctx, list)
	if err != nil || !slices.Equal(urls, fake.MediaURLs(m.SID)) {
		t.Fatalf("MediaFiles = %q, %v; want %q", urls, err, fake.MediaURLs(m.SID))
	}
	if one, err := p.MediaFiles(ctx, urls[1]); err != nil || !slices.Equal(one, urls[1:]) {
		t.Fatalf("MediaFiles of a file's URL = %q, %v", one, err)
	}
	for i, want := range []struct {
		typ  string
		data []byte
	}{{"image/jpeg", photo}, {"text/vcard", card}} {
		f, err := p.FetchMedia(ctx, urls[i], 1<<20)
		if err != nil || f.ContentType != want.typ || !bytes.Equal(f.Data, want.data) {
			t.Fatalf("file %d: %q %d bytes, %v", i, f.ContentType, len(f.Data), err)
		}
	}
	for _, r := range s.requests() {
		path, auth, _ := strings.Cut(r, " ")
		if strings.HasPrefix(path, "/cdn/") == (auth == "auth") {
			t.Errorf("request %s: credentials go to Twilio's API alone", r)
		}
	}
	if n := len(s.requests()); n != 5 { // list, then each file's redirect and CDN
		t.Errorf("%d requests, want 5: %q", n, s.requests())
	}
}

// A file over the cap is refused, whether its answer says its length or not.
func TestFetchMediaCapsTheSize(t *testing.T) {
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	m := fake.AddInboundMMS("+12065550001", "+12065550101", "", twiliotest.MediaFile{ContentType: "video/mp4", Data: make([]byte, 5000)})
	for _, hide := range []bool{false, true} {
		p := mediaProvider(t, fake, &sniffer{hideLength: hide})
		ctx := context.Background()
		if _, err := p.FetchMedia(ctx, fake.MediaURLs(m.SID)[0], 4999); !errors.Is(err, inbound.ErrMediaTooLarge) {
			t.Errorf("length hidden %v: 5000 bytes with a cap of 4999: %v, want ErrMediaTooLarge", hide, err)
		}
		if f, err := p.FetchMedia(ctx, fake.MediaURLs(m.SID)[0], 5000); err != nil || len(f.Data) != 5000 {
			t.Errorf("length hidden %v: 5000 bytes with a cap of 5000: %d, %v", hide, len(f.Data), err)
		}
	}
}

// The credentials go nowhere but to Twilio, for this account's media:
// any other URL is refused before a request.
func TestFetchMediaRefusesOtherURLs(t *testing.T) {
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	m := fake.AddInboundMMS("+12065550001", "+12065550101", "", twiliotest.MediaFile{ContentType: "image/png", Data: []byte("png")})
	good := fake.MediaURLs(m.SID)[0]
	other := strings.Replace(good, fake.AccountSID(), "AC"+strings.Repeat("9", 32), 1)
	s := &sniffer{}
	p := mediaProvider(t, fake, s)
	for _, u := range []string{
		strings.Replace(good, "https://api.twilio.com", "https://evil.example", 1),
		strings.Replace(good, "https://", "http://", 1),
		strings.Replace(good, "https://api.twilio.com", "https://api.twilio.com.evil.example", 1),
		strings.Replace(good, "https://", "https://user:pw@", 1),
		strings.Replace(good, "https://api.twilio.com", "https://api.twilio.com:8443", 1),
		good + "?redirect=https://evil.example",
		good + "/../../../Calls.json",
		other,
		"https://api.twilio.com/2010-04-01/Accounts/" + fake.AccountSID() + "/Messages.json",
		"not a url \x7f",
	} {
		if _, err := p.FetchMedia(context.Background(), u, 1<<20); err == nil {
			t.Errorf("FetchMedia(%q) fetched it", u)
		}
		if _, err := p.MediaFiles(context.Background(), u); err == nil {
			t.Errorf("MediaFiles(%q) took it", u)
		}
	}
	if got := s.requests(); len(got) != 0 {
		t.Fatalf("requests made: %q", got)
	}
}
