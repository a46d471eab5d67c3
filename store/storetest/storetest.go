// Package storetest is the behaviour suite of smsbot's store: one set of
// tests, through the store's exported methods only, that every SQL dialect
// the store runs on must pass (the approach of riverqueue/river's
// riverdrivertest). The store's own tests run it on SQLite; a second
// dialect runs it unchanged by passing its own Opener to Run.
//
// The suite writes no SQL and reads no table directly, so that it states
// what callers may rely on rather than how the store keeps it.
package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/store"
)

// Opener opens a new, empty, migrated store whose clock is now, and closes
// it when the test ends. Each call must return a database of its own.
type Opener func(t *testing.T, now func() time.Time) *store.Store

// Run runs the whole suite as subtests of t, each on a store of its own.
func Run(t *testing.T, open Opener) {
	groups := []struct {
		name string
		run  func(*testing.T, Opener)
	}{
		{"Senders", testSenders},
		{"Removal", testRemoval},
		{"Lists", testLists},
		{"Manage", testManage},
		{"ContactDetails", testContactDetails},
		{"ImportUndo", testImportUndo},
		{"Forget", testForget},
		{"Audience", testAudience},
		{"Queue", testQueue},
		{"Claims", testClaims},
		{"Outcomes", testOutcomes},
		{"OutcomeRuns", testOutcomeRuns},
		{"Broadcasts", testBroadcasts},
		{"Inbound", testInbound},
		{"RelayOrder", testRelayOrder},
		{"Receipts", testReceipts},
		{"Schedules", testSchedules},
		{"SchedulePolls", testSchedulePolls},
		{"Stats", testStats},
		{"Rates", testRates},
		{"SentBroadcasts", testSentBroadcasts},
		{"Preview", testPreview},
		{"Dialects", testDialects},
		{"ProgressRefs", testProgressRefs},
		{"Leases", testLeases},
		{"Polls", testPolls},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			g.run(t, open)
		})
	}
}

// t0 is when every test's clock starts: whole seconds, so that every
// dialect stores it exactly.
var t0 = time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)

// bundle is one test's store and clock.
type bundle struct {
	t     *testing.T
	ctx   context.Context
	st    *store.Store
	clock *clockwork.FakeClock
}

func setup(t *testing.T, open Opener) *bundle {
	t.Helper()
	clock := clockwork.NewFakeClockAt(t0)
	return &bundle{t: t, ctx: context.Background(), st: open(t, clock.Now), clock: clock}
}

// subtests runs each named test on a store of its own.
func subtests(t *testing.T, open Opener, tests map[string]func(*bundle)) {
	t.Helper()
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(setup(t, open))
		})
	}
}

// check fails the test at once if err is not nil.
func (b *bundle) check(err error, what string) {
	b.t.Helper()
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// wantCode fails the test unless err carries code.
func (b *bundle) wantCode(err error, code, what string) {
	b.t.Helper()
	if got := broadcast.ErrorCode(err); got != code {
		b.t.Fatalf("%s: error %v (code %q), want code %s", what, err, got, code)
	}
}

func (b *bundle) sender(address string, rate float64) broadcast.Sender {
	b.t.Helper()
	s, _, err := b.st.AddSender(b.ctx, address, rate, "test")
	b.check(err, "add sender "+address)
	return s
}

// members puts n contacts on list, numbered from first, and returns them.
func (b *bundle) members(list string, first, n int) []broadcast.Contact {
	b.t.Helper()
	var out []broadcast.Contact
	for i := range n {
		r, err := b.st.AddMember(b.ctx, list, phone(first+i), fmt.Sprintf("Contact %d", first+i), "test")
		b.check(err, "add member")
		out = append(out, r.Contact)
	}
	return out
}

// phone is a valid US number for i below 10,000.
func phone(i int) string { return fmt.Sprintf("+1206555%04d", i) }

// pending stores a pending broadcast to list.
func (b *bundle) pending(list, body string) broadcast.Broadcast {
	b.t.Helper()
	l, err := b.st.ListByName(b.ctx, list)
	b.check(err, "list "+list)
	info := broadcast.CountSegments(body)
	br, err := b.st.CreateBroadcast(b.ctx, broadcast.Broadcast{Body: body, ListID: l.ID, ListName: l.Name,
		RequestedBy: "alice", Segments: info.Segments, Encoding: info.Encoding})
	b.check(err, "create broadcast")
	return br
}

// sending stores a broadcast to list, approves it and writes its whole
// outbox, as the engine does.
func (b *bundle) sending(list, body string) broadcast.Broadcast {
	b.t.Helper()
	br := b.transition(b.pending(list, body), broadcast.StatusPending, broadcast.StatusSending)
	b.queueAll(br, nil)
	return br
}

func (b *bundle) transition(br broadcast.Broadcast, from, to broadcast.Status) broadcast.Broadcast {
	b.t.Helper()
	out, err := b.st.Transition(b.ctx, br.ID, []broadcast.Status{from}, to, "bob", b.clock.Now())
	b.check(err, fmt.Sprintf("broadcast #%d %s → %s", br.ID, from, to))
	return out
}

// queueAll writes a broadcast's outbox in batches of 2 and marks it
// queued.
func (b *bundle) queueAll(br broadcast.Broadcast, tmpl *broadcast.Template) {
	b.t.Helper()
	loads, err := b.st.SenderLoads(b.ctx)
	b.check(err, "sender loads")
	bal := broadcast.NewBalancer(loads)
	for after := int64(0); ; {
		last, err := b.st.QueueBatch(b.ctx, br, after, 2, bal, tmpl, b.clock.Now())
		b.check(err, "queue batch")
		if last == 0 {
			break
		}
		after = last
	}
	b.check(b.st.MarkQueued(b.ctx, br.ID), "mark queued")
}

// queued returns every due queued row of sender.
func (b *bundle) queued(senderID int64) []broadcast.Message {
	b.t.Helper()
	ms, err := b.st.NextQueued(b.ctx, senderID, b.clock.Now(), 1000)
	b.check(err, "next queued")
	return ms
}

func (b *bundle) counts(id int64) broadcast.Counts {
	b.t.Helper()
	c, err := b.st.Counts(b.ctx, id)
	b.check(err, "counts")
	return c
}

func (b *bundle) contact(phone string) broadcast.Contact {
	b.t.Helper()
	c, err := b.st.Contact(b.ctx, phone)
	b.check(err, "contact "+phone)
	return c
}

// commit runs one group commit at the clock's time.
func (b *bundle) commit(c broadcast.Commit) [][]int64 {
	b.t.Helper()
	c.Now = b.clock.Now()
	claimed, err := b.st.Commit(b.ctx, c)
	b.check(err, "commit")
	return claimed
}

// claim claims ids for sender and returns the IDs it took.
func (b *bundle) claim(senderID int64, ids ...int64) []int64 {
	b.t.Helper()
	return b.commit(broadcast.Commit{Claims: []broadcast.Claim{{SenderID: senderID, IDs: ids}}})[0]
}

// settle records outcomes at the clock's time.
func (b *bundle) settle(os ...broadcast.Outcome) {
	b.t.Helper()
	for i := range os {
		if os[i].At.IsZero() {
			os[i].At = b.clock.Now()
		}
	}
	b.commit(broadcast.Commit{Outcomes: os})
}

// sent is the outcome of a text the provider accepted.
func sent(m broadcast.Message, sid string) broadcast.Outcome {
	return broadcast.Outcome{MessageID: m.ID, BroadcastID: m.BroadcastID, ContactID: m.ContactID, SenderID: m.SenderID,
		Segments: m.Segments, Status: broadcast.MsgSent, ProviderSID: sid}
}

// ids returns the IDs of ms.
func ids(ms []broadcast.Message) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

// sid is a well-formed message SID for i.
func sid(i int) string { return fmt.Sprintf("SM%032x", i) }
