package twiliotest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"testing"
	"time"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"smsbot/broadcast/latency"
	"smsbot/broadcast/twilio/twiliotest"
)

var (
	requestID = regexp.MustCompile(`^RQ[0-9a-f]{32}$`)
	duration  = regexp.MustCompile(`^[0-9]+\.[0-9]{3}$`)
)

// sendBody runs a create with the given body in a goroutine and returns
// where its result goes.
func (b *testBundle) sendBody(body string) <-chan result {
	done := make(chan result, 1)
	go func() {
		m, err := b.send(alice, bob, body)
		done <- result{m, err}
	}()
	return done
}

// checkRefusal fails the test unless res is Twilio's answer to a request
// over the account's concurrency: 429 with error 20429's document
// (testdata/twilio/error_20429.json), Twilio's headers, no Retry-After.
func checkRefusal(t *testing.T, res *http.Response, concurrent int) {
	t.Helper()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var got, want map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("%v in %s", err, body)
	}
	if err := json.Unmarshal(fixture(t, "error_20429.json"), &want); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusTooManyRequests || !reflect.DeepEqual(got, want) {
		t.Errorf("answer %d %s, want 429 %v", res.StatusCode, body, want)
	}
	h := res.Header
	if v := h.Get("Retry-After"); v != "" {
		t.Errorf("Retry-After %q; Twilio sends none with 20429", v)
	}
	if v := h.Get("Twilio-Concurrent-Requests"); v != strconv.Itoa(concurrent) {
		t.Errorf("Twilio-Concurrent-Requests %q, want %d", v, concurrent)
	}
	if !requestID.MatchString(h.Get("Twilio-Request-Id")) || !duration.MatchString(h.Get("Twilio-Request-Duration")) {
		t.Errorf("Twilio-Request-Id %q, Twilio-Request-Duration %q", h.Get("Twilio-Request-Id"), h.Get("Twilio-Request-Duration"))
	}
}

func TestConcurrencyLimitRefusesBeyondIt(t *testing.T) {
	t.Parallel()
	const limit = 3
	sl := newSleeper(true)
	attempts := make(chan int, 16)
	b := setup(t, twiliotest.Config{
		Concurrency: limit, Latency: latency.Constant(time.Millisecond), Sleep: sl.Sleep,
		Fault: func(r twiliotest.CreateRequest) twiliotest.Fault {
			if r.Body == "one too many" {
				attempts <- r.Attempt
			}
			return twiliotest.FaultNone
		},
	})

	var held []<-chan result
	for i := range limit {
		held = append(held, b.sendBody("held "+strconv.Itoa(i)))
		recv(t, sl.entered) // admitted and waiting out its latency
	}
	if n := b.srv.InFlight(); n != limit {
		t.Fatalf("InFlight() = %d, want %d", n, limit)
	}

	res, err := b.do(t, context.Background(), http.MethodPost, "/2010-04-01/Accounts/"+b.srv.AccountSID()+"/Messages.json",
		map[string][]string{"From": {alice}, "To": {bob}, "Body": {"one too many"}})
	if err != nil {
		t.Fatal(err)
	}
	checkRefusal(t, res, limit+1)
	res.Body.Close()
	if _, err := b.api.ListMessage(new(openapi.ListMessageParams).SetPageSize(1)); restError(t, err).Code != 20429 {
		t.Errorf("list while full: %v, want 20429", err)
	}
	if _, err := b.send(alice, bob, "one too many"); restError(t, err).Status != http.StatusTooManyRequests {
		t.Errorf("create while full: %v, want 429", err)
	}
	if got, want := b.srv.Refused(), 3; got != want {
		t.Errorf("Refused() = %d, want %d", got, want)
	}
	if n := len(b.srv.Outbound()); n != limit {
		t.Errorf("%d messages stored, want %d (refused ones are not)", n, limit)
	}

	sl.open()
	for _, done := range held {
		if r := recv(t, done); r.err != nil {
			t.Errorf("held create: %v", r.err)
		}
	}
	// Each was counted out before its answer was written: room again.
	if n := b.srv.InFlight(); n != 0 {
		t.Errorf("InFlight() = %d after the answers, want 0", n)
	}
	m, err := b.send(alice, bob, "one too many")
	if err != nil {
		t.Fatalf("create after the release: %v", err)
	}
	if b.next(t); len(b.srv.Outbound()) != limit+1 || *m.Body != "one too many" {
		t.Errorf("stored %d, want %d", len(b.srv.Outbound()), limit+1)
	}
	if a := recv(t, attempts); a != 1 {
		t.Errorf("Attempt = %d, want 1: refused creates are not attempts", a)
	}
	if got := b.srv.Peak(); got != limit {
		t.Errorf("Peak() = %d, want %d", got, limit)
	}
	if got := b.srv.Requests(); got != limit+3 {
		t.Errorf("Requests() = %d, want %d (refused creates count)", got, limit+3)
	}
}

func TestConcurrencyCountsHeldRequestsAndFollowsSetConcurrency(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{Concurrency: 2, Fault: always(twiliotest.FaultHold)})

	a1, a2 := b.sendBody("1"), b.sendBody("2")
	b.next(t)
	b.next(t)
	if _, err := b.send(alice, bob, "3"); restError(t, err).Code != 20429 {
		t.Fatalf("third create: %v, want 20429", err)
	}
	b.srv.SetConcurrency(3)
	a3 := b.sendBody("3")
	b.next(t)
	if n, peak := b.srv.InFlight(), b.srv.Peak(); n != 3 || peak != 3 {
		t.Errorf("InFlight %d, Peak %d; want 3, 3", n, peak)
	}
	b.srv.SetConcurrency(1) // below what is in flight: refuses until it drains
	if _, err := b.send(alice, bob, "4"); restError(t, err).Code != 20429 {
		t.Errorf("create over the lowered limit: %v, want 20429", err)
	}
	b.srv.SetConcurrency(0) // unlimited
	a4 := b.sendBody("4")
	b.next(t)
	b.srv.Release() // all four were stored, so are holding on the same Release
	for _, done := range []<-chan result{a1, a2, a3, a4} {
		if r := recv(t, done); r.err != nil {
			t.Errorf("held create: %v", r.err)
		}
	}
	if got := b.srv.Refused(); got != 2 {
		t.Errorf("Refused() = %d, want 2", got)
	}
	if got := b.srv.Peak(); got != 4 {
		t.Errorf("Peak() = %d, want 4", got)
	}
}

func TestConcurrencyUnlimitedByDefault(t *testing.T) {
	t.Parallel()
	const n = 40
	sl := newSleeper(true)
	b := setup(t, twiliotest.Config{Latency: latency.Constant(time.Millisecond), Sleep: sl.Sleep})

	var all []<-chan result
	for i := range n {
		all = append(all, b.sendBody(strconv.Itoa(i)))
	}
	for range n {
		recv(t, sl.entered)
	}
	sl.open()
	for _, done := range all {
		if r := recv(t, done); r.err != nil {
			t.Error(r.err)
		}
	}
	if peak, refused := b.srv.Peak(), b.srv.Refused(); peak != n || refused != 0 {
		t.Errorf("Peak %d, Refused %d; want %d, 0", peak, refused, n)
	}
}
