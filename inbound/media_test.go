package inbound_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"smsbot/bot"
	"smsbot/broadcast/twilio/twiliotest"
	"smsbot/inbound"
)

// fileStaff is a staff channel that also takes files.
type fileStaff struct {
	staffLog
	fmu   sync.Mutex
	files []shownFile
}

type shownFile struct {
	thread, name string
	data         []byte
}

func (s *fileStaff) RelayFile(_ context.Context, thread, name string, data []byte) error {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	s.files = append(s.files, shownFile{thread, name, bytes.Clone(data)})
	return nil
}

func (s *fileStaff) shownFiles() []shownFile {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	return append([]shownFile(nil), s.files...)
}

var (
	photo = append([]byte{0xff, 0xd8, 0xff, 0xe0}, bytes.Repeat([]byte("stage"), 120)...) // 604 bytes
	video = make([]byte, 1001)
)

// fields returns a relayed message's fields as label=value lines.
func fields(m bot.Message) string {
	var b strings.Builder
	for _, f := range m.Fields {
		b.WriteString(f.Label + "=" + f.Value + "\n")
	}
	return b.String()
}

// An MMS found by polling is shown to staff with its files, fetched on
// the server with the account's credentials and capped in size; the link
// of its Media list, which staff cannot open, is not shown.
func TestPolledMMSIsShownAsFiles(t *testing.T) {
	b := setup(t)
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	ctx := context.Background()
	prov := provider(t, fake)
	staff := &fileStaff{}
	svc, err := inbound.New(inbound.Config{Store: b.store, Staff: staff, Media: prov, MaxMediaBytes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	p := newPollerOn(t, b, prov, svc, &replies{})
	if err := p.Poll(ctx); err != nil { // starts the number's cursor
		t.Fatal(err)
	}
	m := fake.AddInboundMMS("+12065550001", "+12065550101", "the stage from row 3",
		twiliotest.MediaFile{ContentType: "image/jpeg", Data: photo}, twiliotest.MediaFile{ContentType: "video/mp4", Data: video})
	if err := p.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if err := svc.RelayPending(ctx); err != nil {
		t.Fatal(err)
	}
	posts := staff.all()
	if len(posts) != 1 {
		t.Fatalf("%d posts, want 1: %+v", len(posts), posts)
	}
	got := fields(posts[0].msg)
	for _, want := range []string{
		"Media 1=image/jpeg, 604 bytes: attached below as " + m.SID + "-1.jpg\n",
		"Media 2=over 1000 bytes: not shown here; it is in the Twilio Console, message " + m.SID + "\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("fields lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Media.json") || strings.Contains(got, "https://") {
		t.Errorf("fields show a link staff cannot open:\n%s", got)
	}
	files := staff.shownFiles()
	if len(files) != 1 || files[0].name != m.SID+"-1.jpg" || !bytes.Equal(files[0].data, photo) || files[0].thread != "t1" {
		t.Fatalf("files shown: %+v, want the photo in the text's thread t1", files)
	}
}

// Without a staff channel that takes files, staff are told where the
// media is, not given the Media list's link.
func TestPolledMMSWithoutFilesNamesTheMessage(t *testing.T) {
	b := setup(t)
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	ctx := context.Background()
	prov := provider(t, fake)
	staff := &staffLog{}
	svc, err := inbound.New(inbound.Config{Store: b.store, Staff: staff, Media: prov})
	if err != nil {
		t.Fatal(err)
	}
	p := newPollerOn(t, b, prov, svc, &replies{})
	if err := p.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	m := fake.AddInboundMMS("+12065550001", "+12065550101", "", twiliotest.MediaFile{ContentType: "image/png", Data: []byte("png")})
	if err := p.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	posts := staff.all()
	if len(posts) != 1 {
		t.Fatalf("%d posts, want 1", len(posts))
	}
	if got := fields(posts[0].msg); !strings.Contains(got, "Media 1=in the Twilio Console, message "+m.SID+"\n") || strings.Contains(got, "Media.json") {
		t.Fatalf("fields:\n%s", got)
	}
}

// A webhook's MMS is answered at once; its files are fetched and shown
// by the relay loop, with the text. A media URL that is not the account's
// own gets no request (nor the credentials) and staff are told.
func TestWebhookMMSIsShownAsFiles(t *testing.T) {
	b := setup(t)
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	ctx := context.Background()
	staff := &fileStaff{}
	svc, err := inbound.New(inbound.Config{Store: b.store, Staff: staff, Media: provider(t, fake), Clock: b.clock})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	inbound.NewWebhooks(svc, authToken, srv.URL).Routes(mux)

	m := fake.AddInboundMMS("+12065550001", "+12065550101", "look", twiliotest.MediaFile{ContentType: "image/jpeg", Data: photo})
	form := incoming(t, "+12065550001", m.SID, "look")
	media := append(fake.MediaURLs(m.SID), "https://evil.example/steal.jpg")
	form.Set("NumMedia", strconv.Itoa(len(media)))
	for i, u := range media {
		form.Set("MediaUrl"+strconv.Itoa(i), u)
		form.Set("MediaContentType"+strconv.Itoa(i), "image/jpeg")
	}
	if code := postTo(t, srv, "/twilio/inbound", form, ""); code != http.StatusOK {
		t.Fatalf("webhook answered %d", code)
	}
	if n := len(staff.all()); n != 0 {
		t.Fatalf("%d posts before the relay loop ran: the webhook waited for the files", n)
	}
	if err := svc.RelayPending(ctx); err != nil {
		t.Fatal(err)
	}
	posts := staff.all()
	if len(posts) != 1 {
		t.Fatalf("%d posts, want 1", len(posts))
	}
	got := fields(posts[0].msg)
	for _, want := range []string{
		"Media 1=image/jpeg, 604 bytes: attached below as " + m.SID + "-1.jpg\n",
		"Media 2=could not be fetched from Twilio; it is in the Twilio Console, message " + m.SID + "\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("fields lack %q:\n%s", want, got)
		}
	}
	if files := staff.shownFiles(); len(files) != 1 || !bytes.Equal(files[0].data, photo) {
		t.Fatalf("files shown: %d, want the photo", len(files))
	}
}
