package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"smsbot/broadcast"
)

// previewMessage shows a pending broadcast with its Approve and Cancel
// buttons.
func (r *Router) previewMessage(p broadcast.Preview) Message {
	b, aud, seg := p.Broadcast, p.Audience, p.Segments
	recipients := fmt.Sprintf("%d", p.Recipients())
	if skipped := aud.OptedOut + aud.Invalid; skipped > 0 {
		recipients += fmt.Sprintf(" (%d skipped: %d opted out, %d invalid)", skipped, aud.OptedOut, aud.Invalid)
	}
	encoding := string(seg.Encoding)
	if len(seg.NonGSM) > 0 {
		encoding += fmt.Sprintf(" because of %s", quoteRunes(seg.NonGSM))
	}
	var senders []string
	for _, s := range p.Senders {
		senders = append(senders, fmt.Sprintf("%s ×%d (%s at %s/s)", s.Sender.Address, s.Recipients, HumanDuration(s.Time), fmtRate(s.Sender.Rate)))
	}
	perText := strconv.Itoa(seg.Segments)
	if p.Personal && p.MinSegments != seg.Segments {
		perText = fmt.Sprintf("%d–%d", p.MinSegments, seg.Segments)
	}
	fields := []Field{
		{"Recipients", recipients},
		{"Segments", fmt.Sprintf("%s per text, %s; %d in total", perText, encoding, p.TotalSegments)},
		{"Senders", strings.Join(senders, ", ")},
		{"ETA", HumanDuration(p.ETA)},
	}
	if f, ok := repeatField(p); ok {
		fields = append(fields, f)
	}
	if f, ok := skippedField(p); ok {
		fields = append(fields, f)
	}
	if seg.Segments > broadcast.MaxSegments {
		fields = append(fields, Field{"⚠️ Long text", fmt.Sprintf("%d segments per text: carriers may not join more than %d into one message, and each segment is billed",
			seg.Segments, broadcast.MaxSegments)})
	}
	if p.Personal {
		fields = append(fields, Field{"First text", p.Example})
	}
	if p.Missing > 0 {
		var names []string
		for _, f := range p.MissingFields {
			names = append(names, "{{"+f+"}}")
		}
		fields = append(fields, Field{"⚠️ Missing fields", fmt.Sprintf("%s (%s) %s no %s: it will be empty; give a default like {{%s|…}}",
			plural(p.Missing, "recipient"), missingNames(p), map[bool]string{true: "has", false: "have"}[p.Missing == 1], strings.Join(names, " or "), p.MissingFields[0])})
	}
	if price := r.cfg.PricePerSegment; price > 0 {
		fields = append(fields, Field{"Cost", fmt.Sprintf("≈ $%.2f at $%g per segment", float64(p.TotalSegments)*price, price)})
	}
	fields = append(fields, Field{"Requested by", b.RequestedBy})
	return Message{
		Title:  fmt.Sprintf("Broadcast #%d to %s: waiting for approval", b.ID, b.ListName),
		Text:   quote(b.Body),
		Fields: fields,
		Buttons: []Button{
			{Label: "Approve", Action: action("approve", b.ID), Style: Primary},
			{Label: "Cancel", Action: action("cancel", b.ID), Style: Danger},
		},
	}
}

// progressMessage shows a broadcast's state: a bar and counts while it
// runs, a summary once it is done.
func (r *Router) progressMessage(ctx context.Context, p broadcast.Progress) Message {
	b, c := p.Broadcast, p.Counts
	if p.Done || b.Status.Final() && b.Status != broadcast.StatusCancelled {
		return r.summaryMessage(ctx, p)
	}
	if b.Status == broadcast.StatusPending {
		return Message{Title: fmt.Sprintf("Broadcast #%d to %s: waiting for approval", b.ID, targetName(b)), Text: quote(b.Body)}
	}
	if b.Status == broadcast.StatusCancelled {
		// The one summary waits for the texts already handed to the carrier.
		return Message{
			Title: fmt.Sprintf("Broadcast #%d to %s: cancelling", b.ID, targetName(b)),
			Text:  fmt.Sprintf("Waiting for %s already in flight; nothing new is sent.", plural(c.Sending, "text")),
		}
	}
	frac := p.Fraction()
	eta := HumanDuration(p.ETA)
	switch {
	case b.Status == broadcast.StatusPaused:
		eta = "paused"
	case p.Preparing:
		eta = "counting…"
	case p.Stalled != "":
		eta = "held"
	}
	remaining := strconv.Itoa(c.Remaining())
	if p.Preparing {
		remaining = fmt.Sprintf("%d queued so far", c.Remaining())
	}
	m := Message{
		Title:    fmt.Sprintf("Broadcast #%d to %s: %s", b.ID, targetName(b), b.Status),
		Text:     fmt.Sprintf("%s %d%%", bar(frac), int(frac*100)),
		Progress: &frac,
		Fields: []Field{
			{"Sent", strconv.Itoa(c.Done())},
			{"Failed", strconv.Itoa(c.Failed)},
			{"Skipped", strconv.Itoa(c.Skipped)},
			{"Remaining", remaining},
			{"ETA", eta},
		},
		Buttons: []Button{{Label: "Pause", Action: action("pause", b.ID)}, {Label: "Cancel", Action: action("cancel", b.ID), Style: Danger}},
	}
	if p.Stalled != "" {
		m.Fields = append(m.Fields, Field{"⚠️ Held", p.Stalled})
	}
	if p.Throttled != "" && p.Stalled == "" {
		m.Fields = append(m.Fields, Field{"🐢 Slowed", p.Throttled})
	}
	if b.Status == broadcast.StatusPaused {
		m.Buttons[0] = Button{Label: "Resume", Action: action("resume", b.ID), Style: Primary}
		if p.Note != "" {
			m.Fields = append(m.Fields, Field{"⚠️ Paused by smsbot", p.Note + "; fix it, then Resume"})
		}
	}
	return m
}

// summaryMessage shows a finished broadcast with its failure reasons.
func (r *Router) summaryMessage(ctx context.Context, p broadcast.Progress) Message {
	b, c := p.Broadcast, p.Counts
	verb := "finished"
	if b.Status == broadcast.StatusCancelled {
		verb = "cancelled"
	}
	m := Message{
		Title: fmt.Sprintf("Broadcast #%d to %s: %s", b.ID, targetName(b), verb),
		Text: strings.TrimSpace(fmt.Sprintf("Sent %d, failed %d, skipped %d of %d in %s. %s",
			c.Done(), c.Failed, c.Skipped, c.Total, HumanDuration(p.Elapsed), receiptsSoFar(c))),
	}
	if b.ApprovedBy != "" {
		m.Fields = append(m.Fields, Field{"Requested by", b.RequestedBy}, Field{"Approved by", b.ApprovedBy})
	}
	reasons, err := r.engine.Reasons(ctx, b.ID)
	if err != nil {
		r.log.Error("reading failure reasons failed", "broadcast_id", b.ID, "err", Redact(err))
	}
	m.Fields = append(m.Fields, reasonFields(reasons)...)
	return m
}

// statusLine is one broadcast in /sms status.
func statusLine(p broadcast.Progress) string {
	b, c := p.Broadcast, p.Counts
	s := fmt.Sprintf("#%d %s · %s · %s", b.ID, targetName(b), b.Status, firstWords(b.Body, 6))
	if b.Status != broadcast.StatusPending {
		s += fmt.Sprintf(" · sent %d/%d, undelivered %d, failed %d, skipped %d", c.Done(), c.Total, c.Undelivered, c.Failed, c.Skipped)
	}
	return s
}

func action(verb string, id int64) string { return fmt.Sprintf("%s:%d", verb, id) }

func bar(frac float64) string {
	const width = 20
	n := int(frac*width + 0.5)
	return strings.Repeat("▓", n) + strings.Repeat("░", width-n)
}

func quote(body string) string {
	return "> " + strings.ReplaceAll(body, "\n", "\n> ")
}

func quoteRunes(rs []rune) string {
	q := make([]string, len(rs))
	for i, r := range rs {
		q[i] = strconv.QuoteRune(r)
	}
	return strings.Join(q, " ")
}

func firstWords(s string, n int) string {
	w := strings.Fields(s)
	if len(w) <= n {
		return strings.Join(w, " ")
	}
	return strings.Join(w[:n], " ") + "…"
}

func fmtRate(r float64) string { return strconv.FormatFloat(r, 'f', -1, 64) }

// fmtSegmentRate writes a rate with its unit: "1 segment/s", "2.5 segments/s".
func fmtSegmentRate(r float64) string {
	if r == 1 {
		return "1 segment/s"
	}
	return fmtRate(r) + " segments/s"
}

// HumanDuration writes a duration for people, as every answer does: 45s,
// 5m50s, 2h05m.
func HumanDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") && !strings.ContainsAny(noun[len(noun)-2:len(noun)-1], "aeiou") {
		return fmt.Sprintf("%d %sies", n, noun[:len(noun)-1])
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func pastTense(verb string) string {
	switch verb {
	case "pause":
		return "paused"
	case "resume":
		return "resumed"
	case "cancel":
		return "cancelled"
	case "approve":
		return "approved"
	}
	return verb
}

func contactLabel(c broadcast.Contact) string {
	if c.Name == "" {
		return c.Phone
	}
	return fmt.Sprintf("%s (%s)", c.Name, c.Phone)
}
