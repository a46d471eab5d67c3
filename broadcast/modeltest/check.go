package modeltest

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"smsbot/broadcast"
	"smsbot/broadcast/twilio/twiliotest"
)

// row is one outbox row as the store has it at the end.
type row struct {
	phone, status, sid, code, text string
}

// check verifies invariants 1, 2, 4, 5 and 6 once every engine is
// closed or dead (3 is checked by finish).
func (w *world) check() {
	texts := map[int]map[string][]twiliotest.Message{} // broadcast k → recipient → texts
	for _, m := range w.fake.Outbound() {
		k := -1
		if _, err := fmt.Sscanf(m.Body, "B%d:", &k); err != nil || k < 0 || k >= len(w.model.broadcasts) {
			w.violate(InvOnce, "the provider has a text nobody sent: %q to %s", m.Body, m.To)
			continue
		}
		if texts[k] == nil {
			texts[k] = map[string][]twiliotest.Message{}
		}
		texts[k][m.To] = append(texts[k][m.To], m)
	}
	for _, b := range w.model.broadcasts {
		rows, err := w.rows(b)
		if err != nil {
			w.violate(InvRun, "reading the outbox of B%d: %v", b.k, err)
			continue
		}
		w.checkOnce(b, rows, texts[b.k])
		w.checkReports(b, rows)
		w.checkOptOut(b, texts[b.k])
	}
	w.checkRates()
	w.checkRemoved()
}

func (w *world) rows(b *bcast) (map[string]row, error) {
	// Bun formats the placeholder for the dialect.
	q, err := w.wstore.DB().QueryContext(w.ctx, `SELECT to_phone, status, COALESCE(provider_sid, ''), error_code, error_text
		FROM messages WHERE broadcast_id = ?`, b.id)
	if err != nil {
		return nil, err
	}
	defer q.Close()
	out := map[string]row{}
	for q.Next() {
		var r row
		if err := q.Scan(&r.phone, &r.status, &r.sid, &r.code, &r.text); err != nil {
			return nil, err
		}
		out[r.phone] = r
	}
	return out, q.Err()
}

// checkOnce is invariant 1: a row per recipient, settled; one text for a
// sent row, none for a failed or skipped one, which gives a reason.
func (w *world) checkOnce(b *bcast, rows map[string]row, texts map[string][]twiliotest.Message) {
	if !b.approved {
		if len(rows) > 0 || len(texts) > 0 {
			w.violate(InvOnce, "B%d was never approved, yet it has %d outbox rows and %d recipients texted", b.k, len(rows), len(texts))
		}
		return
	}
	for _, ph := range sortedKeys(rows) {
		r, n := rows[ph], len(texts[ph])
		switch broadcast.MessageStatus(r.status) {
		case broadcast.MsgSent, broadcast.MsgDelivered, broadcast.MsgUndelivered:
			switch {
			case n == 0:
				w.violate(InvOnce, "B%d to %s: its row is %s (%s) but the provider has no text", b.k, ph, r.status, r.sid)
			case n > 1:
				w.violate(InvOnce, "B%d to %s: %d texts at the provider (%s)", b.k, ph, n, describeTexts(texts[ph], w.plan.start))
			case texts[ph][0].SID != r.sid:
				w.violate(InvOnce, "B%d to %s: its row holds SID %s, the provider's text is %s", b.k, ph, r.sid, texts[ph][0].SID)
			}
		case broadcast.MsgFailed, broadcast.MsgSkipped:
			if n > 0 {
				w.violate(InvOnce, "B%d to %s: its row is %s (%s %s) but the recipient got %d text(s)", b.k, ph, r.status, r.code, r.text, n)
			}
			if strings.TrimSpace(r.code+r.text) == "" {
				w.violate(InvOnce, "B%d to %s: its row is %s without a reason", b.k, ph, r.status)
			}
		default:
			w.violate(InvOnce, "B%d to %s: its row was left %s", b.k, ph, r.status)
		}
		if !w.model.lists[b.list][ph] {
			w.violate(InvOnce, "B%d to %s: an outbox row, but %s was never on list %s", b.k, ph, ph, b.list)
		}
	}
	for _, ph := range sortedKeys(texts) {
		if _, ok := rows[ph]; !ok {
			w.violate(InvOnce, "B%d to %s: %d text(s) at the provider but no outbox row", b.k, ph, len(texts[ph]))
		}
	}
	for _, ph := range sortedKeys(b.members) {
		if _, ok := rows[ph]; !ok {
			w.violate(InvOnce, "B%d to %s: on the list when it was approved, but no outbox row", b.k, ph)
		}
	}
}

// checkReports is invariant 4: the final report adds up, is the only
// one each engine gave, matches the store (with several engines, every
// engine's does), and nothing went out after the first.
func (w *world) checkReports(b *bcast, rows map[string]row) {
	if !b.approved {
		return
	}
	c, err := w.wstore.Counts(w.ctx, b.id)
	if err != nil {
		w.violate(InvRun, "counting B%d: %v", b.k, err)
		return
	}
	if c.Total != len(rows) || c.Remaining()+c.Done()+c.Failed+c.Skipped != c.Total {
		w.violate(InvCounts, "B%d: the store's counts do not add up: %s for %d rows", b.k, fmtCounts(c), len(rows))
	}
	w.mu.Lock()
	reports := append([]report(nil), b.reports...)
	w.mu.Unlock()
	if len(reports) == 0 {
		w.violate(InvCounts, "B%d: no final report (store: %s)", b.k, fmtCounts(c))
		return
	}
	perGen := map[int]int{}
	for _, r := range reports {
		perGen[r.gen]++
		if perGen[r.gen] == 2 {
			w.violate(InvCounts, "B%d: engine %d gave %d final reports: %s", b.k, r.gen, len(reports), describeReports(reports))
		}
	}
	// With several engines each engine that followed the broadcast
	// reports, and each report must be true: any may be the one shown.
	check := reports[len(reports)-1:]
	if w.lenient() {
		check = nil
	} else if len(w.live) > 1 {
		check = reports
	}
	for _, r := range check {
		if !sameCounts(r.counts, c) {
			w.violate(InvCounts, "B%d: the final report of engine %d says %s; the store says %s", b.k, r.gen, fmtCounts(r.counts), fmtCounts(c))
		}
	}
	first := reports[0].seq
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, a := range w.attempts {
		if a.seq > first && strings.HasPrefix(a.body, b.marker) {
			w.broken = append(w.broken, Violation{InvCounts, fmt.Sprintf("B%d to %s: a text was sent (engine %d, %s) after the final report %q",
				b.k, a.to, a.gen, at(a.at, w.plan.start), fmtCounts(reports[0].counts))})
		}
	}
}

// checkOptOut is invariant 5.
func (w *world) checkOptOut(b *bcast, texts map[string][]twiliotest.Message) {
	for _, ph := range sortedKeys(b.optedOut) {
		if w.model.contact(ph).startSeq > b.approvedSeq {
			continue // texted START since: either outcome is right
		}
		if n := len(texts[ph]); n > 0 {
			w.violate(InvOptOut, "B%d to %s: opted out when it was approved, got %d text(s)", b.k, ph, n)
		}
	}
}

func describeTexts(ms []twiliotest.Message, start time.Time) string {
	var parts []string
	for _, m := range ms {
		from := m.From
		if m.MessagingServiceSID != "" {
			from = m.MessagingServiceSID
		}
		parts = append(parts, fmt.Sprintf("%s from %s at %s", m.SID[:8], from, at(m.DateCreated, start)))
	}
	return strings.Join(parts, ", ")
}

func describeReports(rs []report) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, fmt.Sprintf("engine %d: %s %s", r.gen, r.status, fmtCounts(r.counts)))
	}
	return strings.Join(parts, "; ")
}

func at(t, start time.Time) string { return fmt.Sprintf("t+%.3fs", t.Sub(start).Seconds()) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
