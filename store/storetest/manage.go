package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/scheduler"
)

func testManage(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		"MembersPagedWithSenderAndStatus": func(b *bundle) {
			b.sender("+12065550101", 1)
			b.members("crew", 0, 5)
			_, err := b.st.AddMember(b.ctx, "crew", phone(9), "", "test")
			b.check(err, "add nameless")
			_, err = b.st.OptOut(b.ctx, phone(1), "test")
			b.check(err, "opt out")
			b.members("other", 100, 3)
			l, page, err := b.st.Members(b.ctx, "CREW", 0, 4)
			b.check(err, "members")
			if l.Name != "crew" || l.Members != 6 || len(page) != 4 || page[0].Phone != phone(0) || page[0].Name != "Contact 0" ||
				page[1].OptedOutAt == nil || page[0].Sender != "" {
				b.t.Fatalf("page 1 = %+v of %+v", page, l)
			}
			_, page, err = b.st.Members(b.ctx, "crew", 4, 4)
			b.check(err, "members page 2")
			if len(page) != 2 || page[0].Phone != phone(4) || page[1].Phone != phone(9) {
				b.t.Fatalf("page 2 = %+v; want Contact 4 and the nameless one last", page)
			}
			b.sending("crew", "hi") // assigns senders
			_, page, err = b.st.Members(b.ctx, "crew", 0, 1)
			b.check(err, "members after sending")
			if page[0].Sender != "+12065550101" {
				b.t.Fatalf("sender = %q", page[0].Sender)
			}
			_, _, err = b.st.Members(b.ctx, "nosuch", 0, 1)
			b.wantCode(err, broadcast.ENOTFOUND, "an unknown list")
		},
		"RenameList": func(b *bundle) {
			b.members("crew", 0, 2)
			b.members("board", 10, 1)
			_, err := b.st.RenameList(b.ctx, "crew", "BOARD", "alice")
			b.wantCode(err, broadcast.ECONFLICT, "a taken name in another case")
			_, err = b.st.RenameList(b.ctx, "nosuch", "x", "alice")
			b.wantCode(err, broadcast.ENOTFOUND, "an unknown list")
			l, err := b.st.RenameList(b.ctx, "Crew", "team", "alice")
			b.check(err, "rename")
			got, err := b.st.ListByName(b.ctx, "team")
			b.check(err, "renamed")
			if l.Name != "team" || got.ID != l.ID || got.Members != 2 {
				b.t.Fatalf("renamed = %+v, read back %+v", l, got)
			}
			_, err = b.st.RenameList(b.ctx, "team", "Team", "alice")
			b.check(err, "a change of case")
			entries, err := b.st.Audit(b.ctx, 1)
			b.check(err, "audit")
			if entries[0].Action != "list.rename" || entries[0].Subject != "Team" || entries[0].Detail != "was team" {
				b.t.Fatalf("audit = %+v", entries[0])
			}
		},
		"DeleteListKeepsContacts": func(b *bundle) {
			b.members("crew", 0, 2)
			b.members("board", 1, 2)
			l, err := b.st.ListByName(b.ctx, "crew")
			b.check(err, "list")
			_, err = b.st.CheckDeleteList(b.ctx, l.ID)
			b.check(err, "check")
			del, err := b.st.DeleteList(b.ctx, l.ID, "alice")
			b.check(err, "delete")
			if del.List.Name != "crew" || del.List.Members != 2 || len(del.Broadcasts)+len(del.Schedules) != 0 {
				b.t.Fatalf("deleted = %+v", del)
			}
			_, err = b.st.DeleteList(b.ctx, l.ID, "alice")
			b.wantCode(err, broadcast.ENOTFOUND, "a second delete")
			_, err = b.st.ListByName(b.ctx, "crew")
			b.wantCode(err, broadcast.ENOTFOUND, "the deleted list")
			b.contact(phone(0))
			if bl, err := b.st.ListByName(b.ctx, "board"); err != nil || bl.Members != 2 {
				b.t.Fatalf("other list = %+v, %v", bl, err)
			}
			// The name is free again.
			r, err := b.st.AddMember(b.ctx, "crew", phone(0), "", "test")
			b.check(err, "re-create")
			if !r.ListCreated || r.ContactCreated {
				b.t.Fatalf("re-created = %+v", r)
			}
		},
		"DeleteListKeptForItsHistory": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			b.members("crew", 0, 1)
			l, err := b.st.ListByName(b.ctx, "crew")
			b.check(err, "list")
			refused := func(what, want string) {
				b.t.Helper()
				_, err := b.st.CheckDeleteList(b.ctx, l.ID)
				b.wantCode(err, broadcast.ECONFLICT, what+": check")
				if !strings.Contains(broadcast.ErrorMessage(err), want) {
					b.t.Fatalf("%s: %v, want %q", what, err, want)
				}
				_, err = b.st.DeleteList(b.ctx, l.ID, "alice")
				b.wantCode(err, broadcast.ECONFLICT, what+": delete")
			}
			sc := b.schedule("", t0.Add(time.Hour))
			b.setSchedule(sc.ID, scheduler.Pending, scheduler.Active, t0.Add(time.Hour))
			refused("an approved schedule", "schedule #1 to the list is approved; unschedule it (/sms unschedule 1)")
			b.setSchedule(sc.ID, scheduler.Active, scheduler.Cancelled, time.Time{})
			br := b.sending("crew", "hi")
			refused("an unfinished broadcast", "broadcast #1 to the list is not finished, though nothing was sent yet; cancel it (/sms cancel 1)")
			m := b.queued(s.ID)[0]
			b.claim(s.ID, m.ID)
			b.settle(sent(m, "SM1"))
			b.transition(br, broadcast.StatusSending, broadcast.StatusCompleted)
			refused("a broadcast that sent", "the list was sent to (#1) and that history needs it")
			if got, err := b.st.ListByName(b.ctx, "crew"); err != nil || got.Members != 1 {
				b.t.Fatalf("list after refusal = %+v, %v", got, err)
			}
		},
		"DeleteListTakesWhatSentNothing": func(b *bundle) {
			b.sender("+12065550101", 1)
			b.members("crew", 0, 2)
			l, err := b.st.ListByName(b.ctx, "crew")
			b.check(err, "list")
			preview := b.pending("crew", "never approved")
			cancelled := b.sending("crew", "cancelled before a text")
			b.recordRates(cancelled.ID)
			cancelled = b.transition(cancelled, broadcast.StatusSending, broadcast.StatusCancelled)
			pendingSc := b.schedule("", t0.Add(time.Hour))
			over := b.schedule("0 9 * * *", time.Time{})
			b.setSchedule(over.ID, scheduler.Pending, scheduler.Active, t0.Add(time.Hour))
			b.setSchedule(over.ID, scheduler.Active, scheduler.Dropped, time.Time{})
			d, err := b.st.CheckDeleteList(b.ctx, l.ID)
			b.check(err, "check")
			want := fmt.Sprint([]int64{preview.ID, cancelled.ID}, []int64{pendingSc.ID, over.ID})
			if got := fmt.Sprint(d.Broadcasts, d.Schedules); got != want {
				b.t.Fatalf("check says %s goes with it, want %s", got, want)
			}
			del, err := b.st.DeleteList(b.ctx, l.ID, "alice")
			b.check(err, "delete")
			if got := fmt.Sprint(del.Broadcasts, del.Schedules); got != want || del.List.Name != "crew" || del.List.Members != 2 {
				b.t.Fatalf("deleted %+v, want %s", del, want)
			}
			for _, table := range []string{"broadcasts", "messages", "broadcast_rates", "schedules", "schedule_runs", "memberships", "lists"} {
				var n int
				b.check(b.st.DB().NewRaw("SELECT COUNT(*) FROM "+table).Scan(b.ctx, &n), "count "+table)
				if n != 0 {
					b.t.Fatalf("%d rows left in %s", n, table)
				}
			}
			b.contact(phone(1))
			entries, err := b.st.Audit(b.ctx, 1)
			b.check(err, "audit")
			if entries[0].Action != "list.delete" || entries[0].Detail != "members=2 broadcasts=2 schedules=2" {
				b.t.Fatalf("audit = %+v", entries[0])
			}
		},
	})
}
