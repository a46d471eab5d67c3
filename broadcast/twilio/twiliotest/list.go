package twiliotest

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Page tokens: "PA" + SID of the last message of the previous page (next
// page), "PB" + SID of the first message of the following page (previous
// page), like Twilio's. Because they name a message rather than an offset,
// walking pages stays exact while new messages arrive.
const (
	tokenAfter  = "PA"
	tokenBefore = "PB"
)

// filterParams are the list filters, in the order they appear in page URIs.
var filterParams = []string{"To", "From", "DateSent", "DateSent<", "DateSent>"}

// listQuery is a parsed list request.
type listQuery struct {
	to, from string
	// on, onOrBefore and onOrAfter are UTC days (midnight); zero when unset.
	on, onOrBefore, onOrAfter time.Time
	filters                   url.Values // the filter parameters as sent
	pageSize, page            int
	token                     string
}

// listResponse is the JSON of ListMessageResponse.
type listResponse struct {
	Messages        []messageResource `json:"messages"`
	End             int               `json:"end"`
	FirstPageURI    string            `json:"first_page_uri"`
	NextPageURI     *string           `json:"next_page_uri"`
	Page            int               `json:"page"`
	PageSize        int               `json:"page_size"`
	PreviousPageURI *string           `json:"previous_page_uri"`
	Start           int               `json:"start"`
	URI             string            `json:"uri"`
}

// handleList serves GET …/Messages.json: messages matching the filters,
// newest first (DateCreated, then creation order), one page at a time.
func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	q, msg := s.parseList(r.URL.Query())
	if msg != "" {
		writeError(w, http.StatusBadRequest, codeInvalidParameter, msg)
		return
	}
	all := s.matching(q, s.cfg.Now().UTC())

	start := q.page * q.pageSize
	switch {
	case strings.HasPrefix(q.token, tokenAfter):
		i := indexOfSID(all, strings.TrimPrefix(q.token, tokenAfter))
		if i < 0 {
			writeError(w, http.StatusBadRequest, codeInvalidParameter, "Invalid PageToken")
			return
		}
		start = i + 1
	case strings.HasPrefix(q.token, tokenBefore):
		i := indexOfSID(all, strings.TrimPrefix(q.token, tokenBefore))
		if i < 0 {
			writeError(w, http.StatusBadRequest, codeInvalidParameter, "Invalid PageToken")
			return
		}
		start = max(0, i-q.pageSize)
	case q.token != "":
		writeError(w, http.StatusBadRequest, codeInvalidParameter, "Invalid PageToken")
		return
	}
	start = min(start, len(all))
	page := all[start:min(start+q.pageSize, len(all))]

	res := listResponse{
		Messages:     make([]messageResource, len(page)),
		Start:        q.page * q.pageSize,
		Page:         q.page,
		PageSize:     q.pageSize,
		FirstPageURI: s.pageURI(q, 0, ""),
		URI:          s.pageURI(q, q.page, q.token),
	}
	res.End = res.Start + max(0, len(page)-1)
	for i, m := range page {
		res.Messages[i] = s.resource(m)
	}
	if start+len(page) < len(all) && len(page) > 0 {
		next := s.pageURI(q, q.page+1, tokenAfter+page[len(page)-1].SID)
		res.NextPageURI = &next
	}
	if q.page > 0 && len(page) > 0 {
		prev := s.pageURI(q, q.page-1, tokenBefore+page[0].SID)
		res.PreviousPageURI = &prev
	}
	writeJSON(w, http.StatusOK, res)
}

// parseList reads the list parameters. It returns a message for Twilio
// error 20001 when one is malformed.
func (s *Server) parseList(v url.Values) (listQuery, string) {
	q := listQuery{
		to:       v.Get("To"),
		from:     v.Get("From"),
		filters:  url.Values{},
		pageSize: s.cfg.PageSizeDefault,
		token:    v.Get("PageToken"),
	}
	for _, name := range filterParams {
		if v.Has(name) {
			q.filters.Set(name, v.Get(name))
		}
	}
	days := []struct {
		param string
		dst   *time.Time
	}{{"DateSent", &q.on}, {"DateSent<", &q.onOrBefore}, {"DateSent>", &q.onOrAfter}}
	for _, d := range days {
		if raw := v.Get(d.param); raw != "" {
			day, ok := parseDay(raw)
			if !ok {
				return q, "Invalid " + d.param + ": " + raw
			}
			*d.dst = day
		}
	}
	if raw := v.Get("PageSize"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			return q, "Invalid PageSize: " + raw
		}
		q.pageSize = min(n, maxPageSize)
	}
	if raw := v.Get("Page"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			return q, "Invalid Page: " + raw
		}
		q.page = n
	}
	return q, ""
}

// parseDay parses an RFC 3339 time or a YYYY-MM-DD date and returns the
// start of its UTC day. Like Twilio, the fake filters on whole days only.
func parseDay(raw string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		if t, err = time.Parse(time.DateOnly, raw); err != nil {
			return time.Time{}, false
		}
	}
	return utcDay(t), true
}

// utcDay returns midnight UTC of t's UTC date.
func utcDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// matching returns copies of the messages that pass q's filters and are
// listed at now (Config.ListDelay), newest first.
func (s *Server) matching(q listQuery, now time.Time) []Message {
	type seqMsg struct {
		seq int
		m   Message
	}
	var found []seqMsg
	s.mu.Lock()
	s.advance(now)
	for i, m := range s.msgs {
		if q.matches(m) && !now.Before(m.DateCreated.Add(s.cfg.ListDelay)) {
			found = append(found, seqMsg{i, m.clone()})
		}
	}
	s.mu.Unlock()

	slices.SortFunc(found, func(a, b seqMsg) int {
		return cmp.Or(b.m.DateCreated.Compare(a.m.DateCreated), cmp.Compare(b.seq, a.seq))
	})
	out := make([]Message, len(found))
	for i, f := range found {
		out[i] = f.m
	}
	return out
}

// matches reports whether m passes the filters of q. A message not sent
// yet (date_sent null) fails every DateSent filter.
func (q listQuery) matches(m Message) bool {
	day := utcDay(m.DateSent)
	dated := !q.on.IsZero() || !q.onOrBefore.IsZero() || !q.onOrAfter.IsZero()
	switch {
	case q.to != "" && m.To != q.to,
		q.from != "" && m.From != q.from,
		dated && m.DateSent.IsZero(),
		!q.on.IsZero() && !day.Equal(q.on),
		!q.onOrBefore.IsZero() && day.After(q.onOrBefore),
		!q.onOrAfter.IsZero() && day.Before(q.onOrAfter):
		return false
	}
	return true
}

// pageURI is the URI of one page of q: its filters as sent, then PageSize,
// Page and PageToken, in Twilio's order.
func (s *Server) pageURI(q listQuery, page int, token string) string {
	var b strings.Builder
	b.WriteString(s.accountPath() + "/Messages.json?")
	for _, name := range filterParams {
		if q.filters.Has(name) {
			b.WriteString(url.QueryEscape(name) + "=" + url.QueryEscape(q.filters.Get(name)) + "&")
		}
	}
	b.WriteString("PageSize=" + strconv.Itoa(q.pageSize) + "&Page=" + strconv.Itoa(page))
	if token != "" {
		b.WriteString("&PageToken=" + url.QueryEscape(token))
	}
	return b.String()
}

// indexOfSID returns the index of the message with the given SID, or -1.
func indexOfSID(msgs []Message, sid string) int {
	return slices.IndexFunc(msgs, func(m Message) bool { return m.SID == sid })
}
