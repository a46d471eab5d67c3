package storetest

import (
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/stats"
)

// outcomes returns each recipient's outcome by phone.
func (b *bundle) outcomes(id int64) map[string]stats.Outcome {
	b.t.Helper()
	out := map[string]stats.Outcome{}
	b.check(b.st.Outcomes(b.ctx, id, func(o stats.Outcome) error {
		out[o.Phone] = o
		return nil
	}), "outcomes")
	return out
}

func (b *bundle) knownSID(sid string) bool {
	b.t.Helper()
	ok, err := b.st.KnownSID(b.ctx, sid)
	b.check(err, "known sid")
	return ok
}

// inFlight claims every queued row of sender and returns them.
func (b *bundle) inFlight(senderID int64) []broadcast.Message {
	b.t.Helper()
	ms := b.queued(senderID)
	if got := b.claim(senderID, ids(ms)...); len(got) != len(ms) {
		b.t.Fatalf("claimed %d of %d rows", len(got), len(ms))
	}
	return ms
}

// testOutcomes: an outcome only changes a row still in Sending, so that a
// late or repeated one cannot undo a final one.
func testOutcomes(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		"SentFailedAndEffects": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			b.members("crew", 0, 4)
			br := b.sending("crew", "x")
			ms := b.inFlight(s.ID)
			b.clock.Advance(2 * time.Second)
			invalid := sent(ms[1], "")
			invalid.Status, invalid.ErrorCode, invalid.ErrorText, invalid.Effect = broadcast.MsgFailed, "21211", "Invalid 'To' Phone Number", broadcast.FlagInvalid
			stop := sent(ms[2], "")
			stop.Status, stop.ErrorCode, stop.ErrorText, stop.Effect = broadcast.MsgFailed, "21610", "Attempt to send to unsubscribed recipient", broadcast.MarkOptedOut
			other := sent(ms[3], "")
			other.Status, other.ErrorCode, other.ErrorText = broadcast.MsgFailed, "21211", "Invalid 'To' Phone Number"
			b.settle(sent(ms[0], sid(1)), invalid, stop, other)
			if c := b.counts(br.ID); c != (broadcast.Counts{Total: 4, Sent: 1, Failed: 3}) {
				b.t.Fatalf("counts = %+v", c)
			}
			if !b.knownSID(sid(1)) || b.knownSID(sid(2)) {
				b.t.Fatal("KnownSID does not tell the stored SID from another")
			}
			o := b.outcomes(br.ID)
			if got := o[ms[0].To]; got.Status != broadcast.MsgSent || !got.SentAt.Equal(t0.Add(2*time.Second)) || got.Sender != s.Address || got.Name != "Contact 0" {
				b.t.Fatalf("sent outcome %+v", got)
			}
			if got := o[ms[1].To]; got.Status != broadcast.MsgFailed || got.ErrorCode != "21211" || !got.SentAt.IsZero() {
				b.t.Fatalf("failed outcome %+v", got)
			}
			if c := b.contact(ms[1].To); c.InvalidReason != "21211 Invalid 'To' Phone Number" || c.OptedOutAt != nil {
				b.t.Fatalf("contact flagged invalid: %+v", c)
			}
			if c := b.contact(ms[2].To); c.OptedOutAt == nil || c.InvalidReason != "" {
				b.t.Fatalf("contact opted out by the carrier: %+v", c)
			}
			if c := b.contact(ms[3].To); c.OptedOutAt != nil || c.InvalidReason != "" {
				b.t.Fatalf("a failure without effect changed the contact: %+v", c)
			}
			reasons, err := b.st.Reasons(b.ctx, br.ID)
			b.check(err, "reasons")
			if len(reasons) != 2 || reasons[0] != (broadcast.Reason{Status: broadcast.MsgFailed, Code: "21211", Text: "Invalid 'To' Phone Number", Count: 2}) || reasons[1].Code != "21610" {
				b.t.Fatalf("reasons = %+v", reasons)
			}
		},
		"OnlyRowsInSending": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			b.members("crew", 0, 3)
			br := b.sending("crew", "x")
			ms := b.queued(s.ID)
			// An outcome for a row never claimed changes nothing.
			b.settle(sent(ms[2], sid(3)))
			if b.knownSID(sid(3)) || len(b.queued(s.ID)) != 3 {
				b.t.Fatal("an outcome changed a queued row")
			}
			b.claim(s.ID, ms[0].ID, ms[1].ID)
			b.settle(sent(ms[0], sid(1)))
			// Late, repeated and contradicting outcomes of a settled row.
			late := sent(ms[0], "")
			late.Status, late.ErrorCode = broadcast.MsgFailed, "30003"
			retry := sent(ms[0], "")
			retry.Status, retry.NextAttempt = broadcast.MsgQueued, t0
			b.settle(late, retry, sent(ms[0], sid(99)))
			if b.knownSID(sid(99)) || !b.knownSID(sid(1)) {
				b.t.Fatal("a repeated outcome replaced the SID")
			}
			if got := b.outcomes(br.ID)[ms[0].To]; got.Status != broadcast.MsgSent || got.ErrorCode != "" {
				b.t.Fatalf("settled row after late outcomes: %+v", got)
			}
			if c := b.counts(br.ID); c != (broadcast.Counts{Total: 3, Queued: 1, Sending: 1, Sent: 1}) {
				b.t.Fatalf("counts = %+v", c)
			}
		},
		"RetryAndRelease": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			b.members("crew", 0, 2)
			br := b.sending("crew", "x")
			ms := b.inFlight(s.ID)
			retry := sent(ms[0], "")
			retry.Status, retry.ErrorCode, retry.ErrorText, retry.NextAttempt = broadcast.MsgQueued, "20429", "Too Many Requests", t0.Add(10*time.Second)
			release := sent(ms[1], "")
			release.Status, release.NextAttempt, release.Release = broadcast.MsgQueued, t0, true
			b.settle(retry, release)
			if c := b.counts(br.ID); c.Queued != 2 || c.Sending != 0 {
				b.t.Fatalf("counts = %+v", c)
			}
			due := b.queued(s.ID)
			if len(due) != 1 || due[0].ID != ms[1].ID || due[0].Attempts != 0 {
				b.t.Fatalf("due now: %+v; want only the released row, its attempt given back", due)
			}
			if at, ok, err := b.st.NextDue(b.ctx, s.ID); err != nil || !ok || !at.Equal(t0) {
				b.t.Fatalf("NextDue = %v %v %v", at, ok, err)
			}
			b.claim(s.ID, ms[1].ID)
			if at, ok, err := b.st.NextDue(b.ctx, s.ID); err != nil || !ok || !at.Equal(t0.Add(10*time.Second)) {
				b.t.Fatalf("NextDue = %v %v %v, want the retry's time", at, ok, err)
			}
			b.clock.Advance(10 * time.Second)
			if due := b.queued(s.ID); len(due) != 1 || due[0].ID != ms[0].ID || due[0].Attempts != 1 {
				b.t.Fatalf("due after the backoff: %+v", due)
			}
		},
		"CancelSkipsQueuedAndRequeuedRows": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			b.members("crew", 0, 4)
			br := b.sending("crew", "x")
			ms := b.queued(s.ID)
			b.claim(s.ID, ms[0].ID, ms[1].ID)
			b.transition(br, broadcast.StatusSending, broadcast.StatusCancelled)
			if c := b.counts(br.ID); c != (broadcast.Counts{Total: 4, Sending: 2, Skipped: 2}) {
				b.t.Fatalf("counts after cancel = %+v; want the rows in flight left to their outcome", c)
			}
			// The call in flight answers: one went out, one is given back.
			back := sent(ms[1], "")
			back.Status, back.NextAttempt, back.Release = broadcast.MsgQueued, t0, true
			b.settle(sent(ms[0], sid(1)), back)
			if c := b.counts(br.ID); c != (broadcast.Counts{Total: 4, Sent: 1, Skipped: 3}) {
				b.t.Fatalf("counts after the last outcomes = %+v", c)
			}
			if got := b.outcomes(br.ID)[ms[1].To]; got.Status != broadcast.MsgSkipped || got.ErrorText != "cancelled" {
				b.t.Fatalf("row given back after cancel: %+v", got)
			}
			if n := len(b.queued(s.ID)); n != 0 {
				b.t.Fatalf("%d rows of a cancelled broadcast queued", n)
			}
		},
	})
}
