package bot

import (
	"context"
	"fmt"
	"strings"

	"smsbot/broadcast"
)

// maxLeftOutShown is the most skipped, and the most missing-field,
// recipients /sms skipped lists, so its answer fits in one chat message.
const maxLeftOutShown = 50

// maxNameShown is the most of a contact's name a list of recipients
// shows, in UTF-16 units.
const maxNameShown = 40

// skippedCmd answers /sms skipped <id>: who broadcast id skips (opted out,
// invalid) and who would get a text with a merge field empty, as the list
// is now, with their numbers. Shown only to whoever asks.
func (r *Router) skippedCmd(ctx context.Context, _ Invocation, args string, _ Conversation) (Message, error) {
	w := words(args)
	if len(w) != 1 {
		return Message{}, usage("skipped <id>")
	}
	id, err := parseID(w[0])
	if err != nil {
		return Message{}, err
	}
	left, err := r.engine.LeftOut(ctx, id, maxLeftOutShown)
	if err != nil {
		return Message{}, err
	}
	b := left.Broadcast
	m := Message{Title: fmt.Sprintf("Broadcast #%d to %s: skipped and missing fields", b.ID, b.ListName), Ephemeral: true}
	if left.SkippedTotal == 0 && left.MissingTotal == 0 {
		m.Text = fmt.Sprintf("Nobody on %s is skipped, and every text has its merge fields.", b.ListName)
		return m, nil
	}
	var lines []string
	if left.SkippedTotal > 0 {
		lines = append(lines, fmt.Sprintf("*Skipped (%d):*", left.SkippedTotal))
		for _, c := range left.Skipped {
			lines = append(lines, fmt.Sprintf("• %s: %s", fullLabel(c), skipReason(c, true)))
		}
		lines = append(lines, moreLine(left.SkippedTotal, len(left.Skipped))...)
	}
	if left.MissingTotal > 0 {
		lines = append(lines, fmt.Sprintf("*Missing a merge field (%d):*", left.MissingTotal))
		for _, miss := range left.Missing {
			lines = append(lines, fmt.Sprintf("• %s: no %s", fullLabel(miss.Contact), fieldList(miss.Fields)))
		}
		lines = append(lines, moreLine(left.MissingTotal, len(left.Missing))...)
	}
	if b.Status != broadcast.StatusPending {
		lines = append(lines, fmt.Sprintf("(as %s is now; the list may have changed since #%d)", b.ListName, b.ID))
	}
	m.Text = strings.Join(lines, "\n")
	return m, nil
}

func moreLine(total, shown int) []string {
	if total <= shown {
		return nil
	}
	return []string{fmt.Sprintf("… and %d more", total-shown)}
}

// fullLabel is a contact's name (clipped) and number, for staff.
func fullLabel(c broadcast.Contact) string {
	if name := strings.TrimSpace(c.Name); name != "" {
		return fmt.Sprintf("%s (%s)", clip(name, maxNameShown), c.Phone)
	}
	return c.Phone
}

// shortLabel is a contact's name (clipped), or its masked number when it
// has none (see maskPhone), for a preview that the whole channel sees.
func shortLabel(c broadcast.Contact) string {
	if name := strings.TrimSpace(c.Name); name != "" {
		return clip(name, maxNameShown)
	}
	return maskPhone(c.Phone)
}

// skipReason says why a contact is skipped: "opted out", "invalid", or
// with full, "invalid: <reason>".
func skipReason(c broadcast.Contact, full bool) string {
	switch {
	case c.OptedOutAt != nil:
		return "opted out"
	case full && c.InvalidReason != "":
		return "invalid: " + clip(c.InvalidReason, 80)
	}
	return "invalid"
}

// fieldList writes merge fields as they are typed: {{team}} and {{room}}.
func fieldList(fields []string) string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = "{{" + f + "}}"
	}
	switch len(out) {
	case 1:
		return out[0]
	case 2:
		return out[0] + " and " + out[1]
	}
	return strings.Join(out[:len(out)-1], ", ") + " and " + out[len(out)-1]
}
