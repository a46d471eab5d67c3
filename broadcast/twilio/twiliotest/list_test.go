package twiliotest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"smsbot/broadcast/twilio/twiliotest"
)

const (
	alice = "+15550000001"
	bob   = "+15550000002"
	carol = "+15550000003"
)

// day returns 2025-03-<d> at the given hour, UTC.
func day(d, hour int) time.Time { return time.Date(2025, 3, d, hour, 0, 0, 0, time.UTC) }

// seed sends messages at the given times and returns their SIDs in order.
func (b *testBundle) seed(t *testing.T, from, to string, at ...time.Time) []string {
	t.Helper()
	var sids []string
	for _, when := range at {
		b.clock.Set(when)
		m, err := b.send(from, to, "at "+when.String())
		if err != nil {
			t.Fatal(err)
		}
		sids = append(sids, *m.Sid)
	}
	return sids
}

// sids returns the SIDs of msgs.
func sids(msgs []openapi.ApiV2010Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, *m.Sid)
	}
	return out
}

func TestListFiltersAndPages(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{})
	old := b.seed(t, alice, bob, day(1, 9), day(1, 23))
	// Two messages at the same instant: newer insertion comes first.
	mid := b.seed(t, alice, bob, day(2, 0), day(2, 10), day(2, 10))
	recent := b.seed(t, alice, bob, day(3, 1), day(3, 2), day(3, 23))
	b.seed(t, alice, carol, day(3, 5))
	b.seed(t, carol, bob, day(3, 5))
	b.srv.AddInbound(bob, alice, "reply")
	b.clock.Set(day(4, 0)) // every text has left Twilio's queue: date_sent is set

	// Afternoon of day 2: Twilio ignores the time, so all of day 2 counts.
	p := new(openapi.ListMessageParams).SetFrom(alice).SetTo(bob).SetDateSentAfter(day(2, 15)).SetPageSize(2)
	got, err := b.api.ListMessage(p)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Concat(mid, recent)
	slices.Reverse(want)
	if !slices.Equal(sids(got), want) {
		t.Errorf("listed %v,\nwant newest first %v", sids(got), want)
	}
	if n := b.rt.lists.Load(); n != 3 {
		t.Errorf("%d list requests, want 3 pages", n)
	}

	tests := []struct {
		name string
		p    *openapi.ListMessageParams
		want []string
	}{
		{"DateSent", new(openapi.ListMessageParams).SetFrom(alice).SetTo(bob).SetDateSent(day(2, 18)), mid},
		{"DateSent<", new(openapi.ListMessageParams).SetFrom(alice).SetTo(bob).SetDateSentBefore(day(2, 0)), slices.Concat(old, mid)},
		{"all to bob", new(openapi.ListMessageParams).SetTo(bob).SetPageSize(1000), nil},
	}
	for _, tt := range tests {
		got, err := b.api.ListMessage(tt.p)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if tt.want == nil {
			if len(got) != 9 {
				t.Errorf("%s: %d messages, want 9", tt.name, len(got))
			}
			continue
		}
		want := slices.Clone(tt.want)
		slices.Reverse(want)
		if !slices.Equal(sids(got), want) {
			t.Errorf("%s: listed %v, want %v", tt.name, sids(got), want)
		}
	}
}

func TestListPageURIs(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{PageSizeDefault: 2})
	b.seed(t, alice, bob, day(1, 1), day(1, 2), day(1, 3))
	b.clock.Set(day(1, 4))
	base := "/2010-04-01/Accounts/" + b.srv.AccountSID() + "/Messages.json"

	first, err := b.api.PageMessage(new(openapi.ListMessageParams).SetFrom(alice).SetDateSentAfter(day(1, 0)), "", "")
	if err != nil {
		t.Fatal(err)
	}
	wantNext := base + "?From=%2B15550000001&DateSent%3E=2025-03-01T00%3A00%3A00Z&PageSize=2&Page=1&PageToken=PA" + *first.Messages[1].Sid
	if first.NextPageUri == nil || *first.NextPageUri != wantNext {
		t.Fatalf("next_page_uri = %v,\nwant %s", first.NextPageUri, wantNext)
	}
	if first.PreviousPageUri != nil || first.Page != 0 || first.PageSize != 2 {
		t.Errorf("page 0: previous %v, page %d, page_size %d", first.PreviousPageUri, first.Page, first.PageSize)
	}

	second := b.getPage(t, *first.NextPageUri)
	if len(second.Messages) != 1 || second.NextPageUri != nil || second.PreviousPageUri == nil || second.Start != 2 || second.End != 2 {
		t.Fatalf("page 1 = %+v", second)
	}
	back := b.getPage(t, *second.PreviousPageUri)
	if !slices.Equal(sids(back.Messages), sids(first.Messages)) {
		t.Errorf("previous page %v, want %v", sids(back.Messages), sids(first.Messages))
	}
}

// getPage fetches a page URI the way twilio-go follows next_page_uri.
func (b *testBundle) getPage(t *testing.T, uri string) openapi.ListMessageResponse {
	t.Helper()
	res, err := b.do(t, context.Background(), http.MethodGet, uri, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var page openapi.ListMessageResponse
	if err := json.NewDecoder(res.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	return page
}

func TestFetch(t *testing.T) {
	t.Parallel()
	b := setup(t, twiliotest.Config{})
	sent := b.seed(t, alice, bob, day(1, 1))[0]
	in := b.srv.AddInbound(bob, alice, "STOP", "https://example.com/a.jpg")

	b.clock.Set(day(1, 2))
	if err := b.srv.SetStatus(sent, "undelivered", 30003); err != nil {
		t.Fatal(err)
	}
	got, err := b.api.FetchMessage(sent, nil)
	if err != nil {
		t.Fatal(err)
	}
	if *got.Status != "undelivered" || got.ErrorCode == nil || *got.ErrorCode != 30003 || got.ErrorMessage == nil ||
		*got.DateUpdated != "Sat, 01 Mar 2025 02:00:00 +0000" {
		t.Errorf("fetched %+v", got)
	}

	got, err = b.api.FetchMessage(in.SID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if *got.Direction != "inbound" || *got.Status != "received" || *got.NumMedia != "1" || *got.Body != "STOP" {
		t.Errorf("fetched inbound %+v", got)
	}

	_, err = b.api.FetchMessage("SM00000000000000000000000000000000", nil)
	if re := restError(t, err); re.Code != 20404 || re.Status != http.StatusNotFound {
		t.Errorf("unknown sid error = %+v, want 20404/404", re)
	}
	if err := b.srv.SetStatus("SMnope", "sent", 0); err == nil {
		t.Error("SetStatus of unknown SID succeeded")
	}
}
