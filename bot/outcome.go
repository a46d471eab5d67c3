package bot

import (
	"fmt"
	"strings"

	"smsbot/broadcast"
)

// How a broadcast's outcome is worded, the same in its finished block,
// /sms status <id> and /sms stats: a text the provider refused at the
// send "failed"; one it accepted whose receipt said it could not be
// delivered is "undelivered"; one never sent (opted out, invalid,
// cancelled) is "skipped". A reason with a carrier code is explained from
// broadcast.ExplainCarrierError, not with the provider's raw text.

// reasonLine is one reason, explained: "30003 unreachable: phone off or
// out of coverage, may be temporary ×2: try again later", or the reason
// as recorded when it has no code ("opted out ×3").
func reasonLine(rs broadcast.Reason) string {
	if rs.Code == "" {
		return fmt.Sprintf("%s ×%d", strings.TrimSpace(rs.Text), rs.Count)
	}
	e := broadcast.ExplainCarrierError(rs.Code)
	return fmt.Sprintf("%s %s ×%d: %s", rs.Code, e.Summary, rs.Count, e.Action)
}

// reasonFields groups reasons into an "Undelivered", a "Failed" and a
// "Skipped" field, in that order, leaving out those with none.
func reasonFields(reasons []broadcast.Reason) []Field {
	groups := []struct {
		label  string
		status broadcast.MessageStatus
	}{{"Undelivered", broadcast.MsgUndelivered}, {"Failed", broadcast.MsgFailed}, {"Skipped", broadcast.MsgSkipped}}
	var out []Field
	for _, g := range groups {
		var lines []string
		for _, rs := range reasons {
			if rs.Status == g.status {
				lines = append(lines, reasonLine(rs))
			}
		}
		if len(lines) > 0 {
			out = append(out, Field{g.label, strings.Join(lines, "\n")})
		}
	}
	return out
}

// receiptsSoFar says what became of the texts the provider accepted:
// "Receipts so far: 2 delivered, 1 undelivered, 1 awaiting." It is empty
// when none was accepted.
func receiptsSoFar(c broadcast.Counts) string {
	if c.Done() == 0 {
		return ""
	}
	s := fmt.Sprintf("Receipts so far: %d delivered, %d undelivered", c.Delivered, c.Undelivered)
	if c.Sent > 0 {
		s += fmt.Sprintf(", %d awaiting", c.Sent)
	}
	return s + "."
}

// deliveredShare is "3 delivered (75.0%)", without the share when
// nothing was accepted.
func deliveredShare(delivered, accepted int) string {
	if accepted == 0 {
		return fmt.Sprintf("%d delivered", delivered)
	}
	return fmt.Sprintf("%d delivered (%.1f%%)", delivered, 100*float64(delivered)/float64(accepted))
}
