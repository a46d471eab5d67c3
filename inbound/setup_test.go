package inbound_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot"
	"smsbot/broadcast"
	"smsbot/broadcast/sim"
	"smsbot/broadcast/twilio/twiliotest"
	"smsbot/inbound"
	"smsbot/store"
)

const authToken = "12345abcdef"

// staffLog is a staff channel that records what it is shown.
type staffLog struct {
	mu     sync.Mutex
	posts  []relayed
	failAt int // fail the nth post (1-based); 0: never
}

type relayed struct {
	thread string
	msg    bot.Message
}

func (s *staffLog) Platform() string { return "test" }

func (s *staffLog) Relay(_ context.Context, thread string, m bot.Message) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failAt > 0 && len(s.posts)+1 == s.failAt {
		s.failAt = 0
		return "", fmt.Errorf("chat is down")
	}
	s.posts = append(s.posts, relayed{thread: thread, msg: m})
	if thread == "" {
		thread = fmt.Sprintf("t%d", len(s.posts))
	}
	return thread, nil
}

func (s *staffLog) all() []relayed {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]relayed(nil), s.posts...)
}

type bundle struct {
	store   *store.Store
	engine  *broadcast.Engine
	carrier *sim.Provider
	svc     *inbound.Service
	staff   *staffLog
	server  *httptest.Server
	clock   *clockwork.FakeClock
}

func setup(t testing.TB) *bundle {
	t.Helper()
	return setupWith(t, nil)
}

// setupWith is setup with wrap, when not nil, in front of the store the
// service and its webhooks use: a fault injector.
func setupWith(t testing.TB, wrap func(inbound.Store) inbound.Store) *bundle {
	t.Helper()
	ctx := context.Background()
	clock := clockwork.NewFakeClockAt(time.Date(2026, 12, 1, 19, 0, 0, 0, time.UTC))
	st, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "smsbot.db"), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	carrier := sim.New(sim.Config{})
	eng, err := broadcast.New(broadcast.Config{Store: st, Provider: carrier})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	b := &bundle{store: st, engine: eng, carrier: carrier, staff: &staffLog{}, clock: clock}
	var svcStore inbound.Store = st
	if wrap != nil {
		svcStore = wrap(st)
	}
	b.svc, err = inbound.New(inbound.Config{Store: svcStore, Staff: b.staff, AutoReply: "Thanks, we got it!", Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	b.server = httptest.NewUnstartedServer(mux)
	// The public URL is the server's own, as Twilio would call it.
	b.server.Start()
	inbound.NewWebhooks(b.svc, authToken, b.server.URL).Routes(mux)
	t.Cleanup(func() {
		b.server.Close()
		if err := eng.Close(); err != nil {
			t.Errorf("close engine: %v", err)
		}
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	if _, _, err := eng.AddSender(ctx, "+12065550101", 100, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddMember(ctx, "crew", "+12065550001", "Ada", "test"); err != nil {
		t.Fatal(err)
	}
	return b
}

// sign computes X-Twilio-Signature: base64(HMAC-SHA1(token, URL + each
// field's name and value, in name order)).
func sign(token, fullURL string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(fullURL)
	for _, k := range keys {
		b.WriteString(k + form.Get(k))
	}
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// post sends form to path, signed with sig (sign's when sig is "").
func (b *bundle) post(t testing.TB, path string, form url.Values, sig string) (int, string) {
	t.Helper()
	if sig == "" {
		sig = sign(authToken, b.server.URL+path, form)
	}
	req, err := http.NewRequest(http.MethodPost, b.server.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// mustPost is post that fails the test unless the answer is want.
func (b *bundle) mustPost(t testing.TB, path string, form url.Values, want int) string {
	t.Helper()
	code, body := b.post(t, path, form, "")
	if code != want {
		t.Fatalf("POST %s answered %d %q, want %d", path, code, body, want)
	}
	return body
}

// webhookForm is the recorded webhook testdata/twilio/webhooks/<name>.
func webhookForm(t testing.TB, name string) url.Values {
	t.Helper()
	raw, err := twiliotest.Fixture("webhooks/" + name)
	if err != nil {
		t.Fatal(err)
	}
	form, err := url.ParseQuery(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return form
}

// incoming is the recorded webhook of a text, with from, sid and body set.
func incoming(t testing.TB, from, sid, body string) url.Values {
	t.Helper()
	form := webhookForm(t, "incoming_sms.txt")
	form.Set("From", from)
	form.Set("MessageSid", sid)
	form.Set("SmsSid", sid)
	form.Set("SmsMessageSid", sid)
	form.Set("Body", body)
	return form
}

// sid returns a valid message SID numbered n.
func sid(n int) string { return fmt.Sprintf("SM%032x", n) }

func (b *bundle) count(t testing.TB, table string) int {
	t.Helper()
	var n int
	if err := b.store.DB().NewRaw("SELECT COUNT(*) FROM "+table).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}
