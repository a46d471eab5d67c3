package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"smsbot/broadcast"
)

// testDialects checks what the dialects could do differently: two
// callers at once (SQLite runs one writer at a time; PostgreSQL's READ
// COMMITTED lets transactions read the same rows and then write), and
// the precision of the times read back.
func testDialects(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		"SameNewListAndContactAtOnce": func(b *bundle) {
			for round := range 10 {
				list := fmt.Sprintf("crew%d", round)
				results := make([]broadcast.MemberResult, 4)
				errs := at4(func(i int) (err error) {
					results[i], err = b.st.AddMember(b.ctx, list, phone(round), "Ada", fmt.Sprintf("admin%d", i))
					return err
				})
				var lists, contacts, added int
				for i, r := range results {
					b.check(errs[i], fmt.Sprintf("round %d: add %d", round, i))
					lists, contacts, added = lists+btoi(r.ListCreated), contacts+btoi(r.ContactCreated), added+btoi(r.Added)
				}
				if lists != 1 || contacts != 1 || added != 1 {
					b.t.Fatalf("round %d: 4 adds at once created %d lists, %d contacts, %d memberships; want 1 each", round, lists, contacts, added)
				}
				if l, err := b.st.ListByName(b.ctx, list); err != nil || l.Members != 1 {
					b.t.Fatalf("round %d: list = %+v, %v", round, l, err)
				}
			}
		},
		"SameNewSenderAtOnce": func(b *bundle) {
			for round := range 10 {
				address := fmt.Sprintf("+1206555%04d", 9000+round)
				created := make([]bool, 4)
				errs := at4(func(i int) (err error) {
					_, created[i], err = b.st.AddSender(b.ctx, address, float64(1+i), "admin")
					return err
				})
				n := 0
				for i, err := range errs {
					b.check(err, fmt.Sprintf("round %d: add sender %d", round, i))
					n += btoi(created[i])
				}
				if n != 1 {
					b.t.Fatalf("round %d: 4 adds of one number at once created it %d times, want 1", round, n)
				}
			}
			senders, err := b.st.Senders(b.ctx)
			b.check(err, "senders")
			if len(senders) != 10 {
				b.t.Fatalf("%d senders, want 10", len(senders))
			}
		},
		"OneOfManyApprovalsWins": func(b *bundle) {
			b.members("crew", 0, 1)
			for round := range 10 {
				br := b.pending("crew", fmt.Sprintf("Round %d", round))
				errs := at4(func(i int) error {
					_, err := b.st.Transition(b.ctx, br.ID, []broadcast.Status{broadcast.StatusPending}, broadcast.StatusSending,
						fmt.Sprintf("approver%d", i), b.clock.Now())
					return err
				})
				winner := -1
				for i, err := range errs {
					if err == nil {
						if winner >= 0 {
							b.t.Fatalf("round %d: approvals %d and %d both won", round, winner, i)
						}
						winner = i
						continue
					}
					b.wantCode(err, broadcast.ECONFLICT, fmt.Sprintf("round %d: approval %d", round, i))
				}
				if winner < 0 {
					b.t.Fatalf("round %d: no approval won: %v", round, errs)
				}
				got, err := b.st.Broadcast(b.ctx, br.ID)
				b.check(err, "read broadcast")
				if got.Status != broadcast.StatusSending || got.ApprovedBy != fmt.Sprintf("approver%d", winner) {
					b.t.Fatalf("round %d: broadcast = %+v; want sending, approved by approver%d", round, got, winner)
				}
				entries, err := b.st.Audit(b.ctx, 10)
				b.check(err, "audit")
				approvals := 0
				for _, e := range entries {
					if e.Action == "broadcast.approve" && e.Subject == fmt.Sprintf("#%d", br.ID) {
						approvals++
					}
				}
				if approvals != 1 {
					b.t.Fatalf("round %d: %d approvals audited, want 1", round, approvals)
				}
			}
		},
		"TimesComeBackAsStored": func(b *bundle) {
			b.clock.Advance(1500 * time.Microsecond) // PostgreSQL keeps microseconds
			b.members("crew", 0, 1)
			br := b.pending("crew", "Hi")
			lists, err := b.st.Lists(b.ctx)
			b.check(err, "lists")
			want := t0.Add(1500 * time.Microsecond)
			for what, at := range map[string]time.Time{"list created": lists[0].CreatedAt, "broadcast created": br.CreatedAt,
				"contact created": b.contact(phone(0)).CreatedAt} {
				if !at.Equal(want) {
					b.t.Errorf("%s at %v, want %v", what, at, want)
				}
			}
		},
	})
}

// at4 runs fn(0) … fn(3) at once and returns their errors.
func at4(fn func(i int) error) []error {
	errs := make([]error, 4)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range errs {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

func btoi(v bool) int {
	if v {
		return 1
	}
	return 0
}
