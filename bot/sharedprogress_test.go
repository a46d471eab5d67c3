package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot"
	"smsbot/broadcast"
	"smsbot/lease"
	"smsbot/lease/leasetest"
	"smsbot/store"
	"smsbot/store/storetest"
)

// sharedBundle is replicas sharing one database, one broadcast and one
// chat channel.
type sharedBundle struct {
	t      *testing.T
	ctx    context.Context
	clock  *clockwork.FakeClock
	st     *store.Store
	leases lease.Store
	world  *world
	chat   *chat
	id     int64
}

// replica is one smsbot process: its router, lease keeper, engine and
// adapter, and its link to the lease table.
type replica struct {
	name   string
	router *bot.Router
	keeper *lease.Keeper
	engine *sharedEngine
	conv   chatConv
	link   *flaky
}

// onBoth runs test with the progress messages kept in SQLite (with the
// lease table as PostgreSQL keeps it, leasetest.Store) and on PostgreSQL.
func onBoth(t *testing.T, test func(t *testing.T, b *sharedBundle)) {
	for _, db := range []string{"SQLite", "PostgreSQL"} {
		t.Run(db, func(t *testing.T) {
			clock := clockwork.NewFakeClockAt(time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC))
			b := &sharedBundle{t: t, ctx: context.Background(), clock: clock, world: newWorld(), chat: newChat()}
			if db == "SQLite" {
				st, err := store.Open(b.ctx, store.Config{Path: filepath.Join(t.TempDir(), "smsbot.db"), Now: clock.Now})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				b.st, b.leases = st, leasetest.NewStore()
			} else {
				b.st = storetest.OpenPostgres(t, clock.Now)
				b.leases = b.st
			}
			b.id = b.broadcast()
			b.world.set(b.progress(broadcast.StatusSending, 0))
			test(t, b)
		})
	}
}

// broadcast stores the broadcast the replicas show.
func (b *sharedBundle) broadcast() int64 {
	b.t.Helper()
	if _, err := b.st.AddMember(b.ctx, "crew", "+12065550001", "Ada", "test"); err != nil {
		b.t.Fatal(err)
	}
	l, err := b.st.ListByName(b.ctx, "crew")
	if err != nil {
		b.t.Fatal(err)
	}
	info := broadcast.CountSegments("Dinner at 7")
	br, err := b.st.CreateBroadcast(b.ctx, broadcast.Broadcast{Body: "Dinner at 7", ListID: l.ID, ListName: l.Name,
		RequestedBy: "alice", Segments: info.Segments, Encoding: info.Encoding})
	if err != nil {
		b.t.Fatal(err)
	}
	return br.ID
}

// progress is the broadcast's progress with sent of its 10 texts sent;
// completed once all are.
func (b *sharedBundle) progress(status broadcast.Status, sent int) broadcast.Progress {
	return broadcast.Progress{
		Broadcast: broadcast.Broadcast{ID: b.id, ListName: "crew", Body: "Dinner at 7", Status: status, RequestedBy: "alice", ApprovedBy: "bob"},
		Counts:    broadcast.Counts{Total: 10, Sent: sent, Queued: 10 - sent},
		Done:      status.Final(),
	}
}

// replica starts a process: its keeper renews its leases (TTL 10s) on
// the shared clock until the test ends.
func (b *sharedBundle) replica(name string) *replica {
	b.t.Helper()
	link := &flaky{Store: b.leases}
	k, err := lease.New(lease.Config{Store: link, Owner: name, TTL: 10 * time.Second, Clock: b.clock})
	if err != nil {
		b.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(b.ctx)
	var wg sync.WaitGroup
	wg.Go(func() { k.Run(ctx) })
	e := b.world.engine()
	r := bot.New(bot.Config{Engine: e, Clock: b.clock, Leases: k, ProgressRefs: b.st, AdoptEvery: 3 * time.Second})
	b.t.Cleanup(func() {
		r.Close()
		cancel()
		wg.Wait()
	})
	return &replica{name: name, router: r, keeper: k, engine: e, conv: chatConv{c: b.chat, replica: name}, link: link}
}

// want fails the test unless e is replica's op on ref, titled with title.
func want(t *testing.T, e chatEvent, replica, op string, ref bot.Ref, title string) {
	t.Helper()
	if e.replica != replica || e.op != op || (ref != "" && e.ref != ref) || !strings.Contains(e.m.Title, title) {
		t.Fatalf("got %s %s %s %q; want %s %s %s titled %q", e.replica, e.op, e.ref, e.m.Title, replica, op, ref, title)
	}
}

// TestProgressOneReplicaEditsAndAnotherTakesOver: of two replicas
// starting on one database, one posts the progress message and edits it;
// the other leaves it alone. When the first stops renewing its leases
// (dead, frozen, cut off), the other takes the progress lease after its
// TTL and edits the same message to the end: one final summary.
func TestProgressOneReplicaEditsAndAnotherTakesOver(t *testing.T) {
	onBoth(t, func(t *testing.T, b *sharedBundle) {
		a, c := b.replica("A"), b.replica("B")
		a.router.Resume(b.ctx, a.conv)
		first := b.chat.next(t)
		want(t, first, "A", "post", "", "Resumed after restart: Broadcast #")
		msg := first.ref
		c.router.Resume(b.ctx, c.conv)
		c.router.Adopt(b.ctx, c.conv)
		b.chat.none(t, "B started while A shows the progress")
		if n := c.engine.following(); n != 0 {
			t.Fatalf("B follows %d broadcasts while A holds the progress lease", n)
		}

		b.world.set(b.progress(broadcast.StatusPaused, 3))
		want(t, b.chat.next(t), "A", "update", msg, ": paused")
		b.world.set(b.progress(broadcast.StatusSending, 3))
		want(t, b.chat.next(t), "A", "update", msg, ": sending")
		c.router.Adopt(b.ctx, c.conv)
		b.chat.none(t, "B adopting while A holds the lease")

		a.link.cut(true) // A's renewals fail from here on
		b.clock.Advance(11 * time.Second)
		a.engine.waitStopped(t) // A's trust in its lease ran out
		// B's adoption, every 3s, finds the lease expired.
		want(t, b.chat.next(t), "B", "update", msg, ": sending")
		if held := a.keeper.Held(); len(held) != 0 {
			t.Fatalf("A still holds %v", held)
		}
		b.world.set(b.progress(broadcast.StatusPaused, 7))
		want(t, b.chat.next(t), "B", "update", msg, ": paused")
		b.world.set(b.progress(broadcast.StatusCompleted, 10))
		want(t, b.chat.next(t), "B", "update", msg, ": finished")
		c.engine.waitStopped(t)

		a.link.cut(false) // A is back: nothing is left to adopt
		a.router.Adopt(b.ctx, a.conv)
		c.router.Adopt(b.ctx, c.conv)
		b.chat.none(t, "after the summary")
		if n := b.chat.summaries(); n != 1 {
			t.Fatalf("%d final summaries, want 1", n)
		}
	})
}

// TestProgressTwoReplicasStartingAtOncePostOnce: replicas starting
// together post one progress message for an unfinished broadcast.
func TestProgressTwoReplicasStartingAtOncePostOnce(t *testing.T) {
	onBoth(t, func(t *testing.T, b *sharedBundle) {
		rs := []*replica{b.replica("A"), b.replica("B"), b.replica("C")}
		var wg sync.WaitGroup
		for _, r := range rs {
			wg.Go(func() { r.router.Resume(b.ctx, r.conv) })
		}
		wg.Wait()
		first := b.chat.next(t)
		if first.op != "post" {
			t.Fatalf("first %s by %s, want a post", first.op, first.replica)
		}
		b.chat.none(t, "three replicas started")
		following := 0
		for _, r := range rs {
			following += r.engine.following()
		}
		if following > 1 {
			t.Fatalf("%d replicas follow the broadcast, want 1", following)
		}
	})
}

// TestProgressRestartEditsTheRecordedMessage: a replica starting when
// no replica shows an unfinished broadcast shows it as resumed in the
// message recorded for it, without posting another.
func TestProgressRestartEditsTheRecordedMessage(t *testing.T) {
	onBoth(t, func(t *testing.T, b *sharedBundle) {
		if err := b.st.SaveProgressRef(b.ctx, b.id, "slack", "C1/1700000000.000100", b.clock.Now()); err != nil {
			t.Fatal(err)
		}
		a := b.replica("A")
		a.router.Resume(b.ctx, a.conv)
		want(t, b.chat.next(t), "A", "update", "C1/1700000000.000100", "Resumed after restart: Broadcast #1 to crew: sending")
		b.chat.none(t, "A restarted")
	})
}

// TestProgressLeaseOfAGoneProcessIsWaitedFor: a replica starting while
// the lease of the process that showed a broadcast runs leaves its
// message alone, and continues it once the lease expires.
func TestProgressLeaseOfAGoneProcessIsWaitedFor(t *testing.T) {
	onBoth(t, func(t *testing.T, b *sharedBundle) {
		if err := b.st.SaveProgressRef(b.ctx, b.id, "slack", "C1/1700000000.000100", b.clock.Now()); err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("progress:%d", b.id)
		if _, ok, err := b.leases.AcquireLease(b.ctx, name, "gone", b.clock.Now(), 10*time.Second); err != nil || !ok {
			t.Fatalf("the gone process's lease: %v, %v", ok, err)
		}
		a := b.replica("A")
		a.router.Resume(b.ctx, a.conv)
		b.chat.none(t, "restarted while the gone process's lease runs")
		b.clock.Advance(9 * time.Second)
		a.router.Adopt(b.ctx, a.conv)
		b.chat.none(t, "adopting before the lease expired")
		b.clock.Advance(time.Second)
		a.router.Adopt(b.ctx, a.conv)
		want(t, b.chat.next(t), "A", "update", "C1/1700000000.000100", ": sending")

		c := b.replica("B") // a later restart, with A still there
		c.router.Resume(b.ctx, c.conv)
		b.chat.none(t, "B restarted while A shows the progress")
	})
}

// TestProgressCloseHandsOver: a replica shutting down releases the
// progress lease, so another continues the message without waiting for
// the TTL.
func TestProgressCloseHandsOver(t *testing.T) {
	onBoth(t, func(t *testing.T, b *sharedBundle) {
		a, c := b.replica("A"), b.replica("B")
		a.router.Resume(b.ctx, a.conv)
		msg := b.chat.next(t).ref
		c.router.Resume(b.ctx, c.conv)
		a.router.Close()
		for e := range drain(b.chat) {
			want(t, e, "A", "update", msg, "") // A's last word, if any
		}
		c.router.Adopt(b.ctx, c.conv)
		want(t, b.chat.next(t), "B", "update", msg, ": sending")
		b.world.set(b.progress(broadcast.StatusCompleted, 10))
		want(t, b.chat.next(t), "B", "update", msg, ": finished")
		if n := b.chat.summaries(); n != 1 {
			t.Fatalf("%d final summaries, want 1", n)
		}
	})
}

// drain yields the posts and edits already made.
func drain(c *chat) func(func(chatEvent) bool) {
	return func(yield func(chatEvent) bool) {
		for {
			select {
			case e := <-c.events:
				if !yield(e) {
					return
				}
			default:
				return
			}
		}
	}
}
