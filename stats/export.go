package stats

import (
	"context"
	"fmt"
	"io"
	"time"

	"smsbot/spreadsheet"
)

// ExportHeader is the first line of an export.
var ExportHeader = []string{"number", "name", "sender", "status", "error_code", "error_text", "sent_at", "delivered_at"}

// Export writes every recipient's outcome of broadcast id as CSV, times in
// RFC 3339 (UTC), streaming from the store. Cells a spreadsheet would run
// as a formula (a name like =HYPERLINK(…)) start with an apostrophe; E.164
// numbers are written as they are.
func Export(ctx context.Context, st Store, id int64, w io.Writer) error {
	if _, err := st.Broadcast(ctx, id); err != nil {
		return err
	}
	cw := spreadsheet.NewWriter(w)
	if err := cw.Write(ExportHeader); err != nil {
		return err
	}
	err := st.Outcomes(ctx, id, func(o Outcome) error {
		return cw.Write([]string{o.Phone, o.Name, o.Sender, string(o.Status), o.ErrorCode, o.ErrorText, stamp(o.SentAt), stamp(o.DeliveredAt)})
	})
	if err != nil {
		return fmt.Errorf("export broadcast #%d: %w", id, err)
	}
	cw.Flush()
	return cw.Error()
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
