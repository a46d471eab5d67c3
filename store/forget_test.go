package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"smsbot/broadcast"
	"smsbot/inbound"
)

// TestForgetLeavesNoTrace forgets a contact that was on lists, texted,
// replied to, wrote in (also a text the store set aside) and had a staff
// thread, then reads every column of every table: neither its number nor
// its name nor anything it wrote is left, while the outbox keeps its
// counts and SIDs.
func TestForgetLeavesNoTrace(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t, time.Now)
	const phone, other = "+12065550001", "+12065550002"
	if _, _, err := st.AddSender(ctx, "+12065550101", 1, "test"); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"crew", "board"} {
		if _, err := st.AddMember(ctx, l, phone, "Adalind", "alice"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.AddMember(ctx, "crew", other, "Grace", "alice"); err != nil {
		t.Fatal(err)
	}
	c, err := st.Contact(ctx, phone)
	if err != nil {
		t.Fatal(err)
	}
	l, err := st.ListByName(ctx, "crew")
	if err != nil {
		t.Fatal(err)
	}
	br, err := st.CreateBroadcast(ctx, broadcast.Broadcast{Body: "hi {{first_name}}", ListID: l.ID, RequestedBy: "alice", Segments: 1, Encoding: broadcast.GSM7})
	if err != nil {
		t.Fatal(err)
	}
	db := st.DB()
	// An outbox row as a finished broadcast leaves it, with a personal body.
	if _, err := db.ExecContext(ctx, `INSERT INTO messages (broadcast_id, contact_id, to_phone, sender_id, status, provider_sid, error_text, segments, body,
		next_attempt_at, last_attempt_at, sent_at, updated_at) VALUES (?, ?, ?, 1, 'sent', 'SMaaa', 'To +12065550001 was slow', 1, 'hi Adalind', ?, ?, ?, ?)`,
		br.ID, c.ID, phone, time.Now(), time.Now(), time.Now(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordReply(ctx, broadcast.Reply{ContactID: c.ID, SenderID: 1, Body: "room 12, Adalind", Status: broadcast.MsgSent,
		ProviderSID: "SMbbb", SentBy: "bob", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.SaveText(ctx, inbound.Text{SID: "SMccc", From: phone, To: "+12065550101", Body: "secret plans",
		Media: []string{"https://api.twilio.com/media/ME1"}, At: time.Now()}, inbound.NoKeyword); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveDeadLetter(ctx, inbound.DeadLetter{SID: "SMddd", From: phone, Raw: "c2VjcmV0", Error: "busy", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetThread(ctx, c.ID, "slack", "C1/1700000000.0001"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.OptOut(ctx, phone, "alice"); err != nil {
		t.Fatal(err)
	}
	before := countOf(t, db, "messages")

	f, err := st.Forget(ctx, c.ID, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Lists) != 2 || f.Texts != 3 {
		t.Fatalf("forgotten = %+v", f)
	}
	for _, secret := range []string{"2065550001", "Adalind", "secret", "room 12", "ME1", "C1/1700000000.0001"} {
		if where := find(t, db, secret); where != "" {
			t.Errorf("%q is still in %s", secret, where)
		}
	}
	if where := find(t, db, "2065550002"); where == "" {
		t.Error("the other contact went too")
	}
	if n := countOf(t, db, "messages"); n != before {
		t.Errorf("outbox rows %d → %d", before, n)
	}
	if ok, err := st.KnownSID(ctx, "SMaaa"); err != nil || !ok {
		t.Errorf("the outbox forgot the SID: %v %v", ok, err)
	}
	entries, err := st.Audit(ctx, 1)
	if err != nil || len(entries) != 1 || entries[0].Action != "contact.forget" || entries[0].Actor != "bob" ||
		entries[0].Subject != fmt.Sprintf("forgotten:%d", c.ID) || !strings.Contains(entries[0].Detail, "phone=…01") {
		t.Fatalf("audit = %+v, %v", entries, err)
	}
	if _, err := st.Forget(ctx, c.ID, "bob"); broadcast.ErrorCode(err) != broadcast.ENOTFOUND {
		t.Fatalf("second forget: %v", err)
	}
	// The number is new again.
	r, err := st.AddMember(ctx, "crew", phone, "", "alice")
	if err != nil || !r.ContactCreated || r.Contact.OptedOutAt != nil {
		t.Fatalf("adding the number again = %+v, %v", r, err)
	}
}

func TestForgetWaitsForTextsInFlight(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t, time.Now)
	if _, err := st.AddMember(ctx, "crew", "+12065550001", "Ada", "alice"); err != nil {
		t.Fatal(err)
	}
	c, _ := st.Contact(ctx, "+12065550001")
	l, _ := st.ListByName(ctx, "crew")
	br, err := st.CreateBroadcast(ctx, broadcast.Broadcast{Body: "hi", ListID: l.ID, RequestedBy: "alice", Segments: 1, Encoding: broadcast.GSM7})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().ExecContext(ctx, `INSERT INTO messages (broadcast_id, contact_id, to_phone, status, segments, next_attempt_at, updated_at)
		VALUES (?, ?, '+12065550001', 'queued', 1, ?, ?)`, br.ID, c.ID, time.Now(), time.Now()); err != nil {
		t.Fatal(err)
	}
	_, err = st.Forget(ctx, c.ID, "bob")
	if broadcast.ErrorCode(err) != broadcast.ECONFLICT || !strings.Contains(err.Error(), "broadcast #1 still has a text for them queued") {
		t.Fatalf("forget with a queued text: %v", err)
	}
	if _, err := st.Contact(ctx, "+12065550001"); err != nil {
		t.Fatalf("a refused forget changed the contact: %v", err)
	}
}

// countOf counts a table's rows.
func countOf(t *testing.T, db *bun.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// find returns "table.column" of the first value in the database that
// contains s, or "".
func find(t *testing.T, db *bun.DB, s string) string {
	t.Helper()
	ctx := context.Background()
	var tables []string
	if err := db.NewRaw(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).Scan(ctx, &tables); err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		rows, err := db.QueryContext(ctx, "SELECT * FROM "+table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if strings.Contains(v.String, s) {
					rows.Close()
					return table + "." + cols[i]
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return ""
}
