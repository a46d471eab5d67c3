package twiliotest_test

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"smsbot/broadcast/twilio/twiliotest"
)

// schemaProp is one property of a schema in openapi_messages.json.
type schemaProp struct {
	Type     string   `json:"type"`
	Nullable bool     `json:"nullable"`
	Enum     []string `json:"enum"`
}

// schemas returns the message and list-page schemas trimmed from Twilio's
// OpenAPI description.
func schemas(t *testing.T) (message, list map[string]schemaProp) {
	t.Helper()
	var doc struct {
		Message map[string]schemaProp `json:"api.v2010.account.message"`
		List    map[string]schemaProp `json:"ListMessageResponse"`
	}
	if err := json.Unmarshal(fixture(t, "openapi_messages.json"), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Message, doc.List
}

// decodeObject decodes a JSON object, failing the test otherwise.
func decodeObject(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	return v
}

// checkShape fails the test unless obj has exactly the schema's
// properties, each of its type (or null where nullable, or one of its
// enum values).
func checkShape(t *testing.T, what string, obj map[string]any, schema map[string]schemaProp) {
	t.Helper()
	var got, want []string
	for k := range obj {
		got = append(got, k)
	}
	for k := range schema {
		want = append(want, k)
	}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s fields = %v,\nschema has %v", what, got, want)
	}
	jsonType := map[string]string{"string": "string", "integer": "float64", "object": "map[string]interface {}", "array": "[]interface {}"}
	for k, p := range schema {
		v, ok := obj[k]
		switch {
		case !ok:
		case v == nil:
			if !p.Nullable {
				t.Errorf("%s.%s is null; the schema does not allow it", what, k)
			}
		case reflect.TypeOf(v).String() != jsonType[p.Type]:
			t.Errorf("%s.%s = %v (%T), schema type %s", what, k, v, v, p.Type)
		case p.Enum != nil && !slices.Contains(p.Enum, v.(string)):
			t.Errorf("%s.%s = %q, not one of %v", what, k, v, p.Enum)
		}
	}
}

func TestShapesMatchTwiliosSchemas(t *testing.T) {
	t.Parallel()
	msgSchema, listSchema := schemas(t)
	b := setup(t, twiliotest.Config{PageSizeDefault: 2})
	if _, err := b.send(alice, bob, "first"); err != nil {
		t.Fatal(err)
	}
	b.clock.Set(b.clock.Now().Add(twiliotest.DefaultSendDelay))
	status, _, created := b.post(t) // queued: date_sent null
	if status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, created)
	}
	checkShape(t, "recorded message", decodeObject(t, fixture(t, "message_queued.json")), msgSchema)
	checkShape(t, "created message", decodeObject(t, created), msgSchema)
	if m := decodeObject(t, created); m["date_sent"] != nil || m["status"] != "queued" {
		t.Errorf("created message: date_sent %v, status %v; want null, queued", m["date_sent"], m["status"])
	}

	recorded := decodeObject(t, fixture(t, "list_page.json"))
	checkShape(t, "recorded list page", recorded, listSchema)
	for _, m := range recorded["messages"].([]any) {
		checkShape(t, "recorded listed message", m.(map[string]any), msgSchema)
	}
	res, err := b.do(t, t.Context(), http.MethodGet, "/2010-04-01/Accounts/"+b.srv.AccountSID()+"/Messages.json?To="+url.QueryEscape(bob), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var page map[string]any
	if err := json.NewDecoder(res.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	checkShape(t, "list page", page, listSchema)
	msgs := page["messages"].([]any)
	if len(msgs) != 2 || page["next_page_uri"] != nil || page["previous_page_uri"] != nil {
		t.Fatalf("page = %v, want both messages on one page", page)
	}
	for _, m := range msgs {
		checkShape(t, "listed message", m.(map[string]any), msgSchema)
	}
	if msgs[1].(map[string]any)["status"] != "sent" || msgs[1].(map[string]any)["date_sent"] == nil {
		t.Errorf("older listed message = %v, want sent with date_sent", msgs[1])
	}

	// twilio-go reads the recorded page as it reads the fake's.
	var typed openapi.ListMessageResponse
	if err := json.Unmarshal(fixture(t, "list_page.json"), &typed); err != nil || len(typed.Messages) != 2 || typed.NextPageUri == nil {
		t.Errorf("twilio-go decodes the recorded page as %+v, %v", typed, err)
	}
}

func TestErrorDocumentsMatchRecorded(t *testing.T) {
	t.Parallel()
	fake := func(t *testing.T, cfg twiliotest.Config, token string) []byte {
		b := setup(t, cfg)
		res, err := b.rt.base.RoundTrip(mustRequest(t, b, token))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var raw json.RawMessage
		if err := json.NewDecoder(res.Body).Decode(&raw); err != nil {
			t.Fatal(err)
		}
		return raw
	}
	tests := []struct {
		file  string
		cfg   twiliotest.Config
		token string
	}{
		{"error_20429.json", twiliotest.Config{Fault: always(twiliotest.Fault429)}, ""},
		{"error_20500.json", twiliotest.Config{Fault: always(twiliotest.Fault500)}, ""},
		{"error_21211.json", twiliotest.Config{Invalid: map[string]int{"+15005550001": 21211}}, ""},
		{"error_20003.json", twiliotest.Config{}, "wrongtoken"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			got, want := decodeObject(t, fake(t, tt.cfg, tt.token)), decodeObject(t, fixture(t, tt.file))
			if !reflect.DeepEqual(got, want) {
				t.Errorf("fake answers %v,\nrecorded %v", got, want)
			}
		})
	}
}

// mustRequest builds a create request to +15005550001, with the fake's
// credentials unless token is set.
func mustRequest(t *testing.T, b *testBundle, token string) *http.Request {
	t.Helper()
	res, err := http.NewRequest(http.MethodPost, b.srv.URL()+"/2010-04-01/Accounts/"+b.srv.AccountSID()+"/Messages.json",
		strings.NewReader("From=%2B15550001111&To=%2B15005550001&Body=hi"))
	if err != nil {
		t.Fatal(err)
	}
	res.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res.SetBasicAuth(b.srv.AccountSID(), cmp.Or(token, b.srv.AuthToken()))
	return res
}
