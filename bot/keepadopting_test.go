package bot_test

import (
	"testing"
	"time"

	"smsbot/broadcast"
)

// TestProgressKeepAdoptingWithoutStaffChannel: a replica with no staff
// channel posts nothing at start, but still continues a progress message
// (shown where the broadcast was approved) once the replica editing it
// stops renewing its leases, to one final summary.
func TestProgressKeepAdoptingWithoutStaffChannel(t *testing.T) {
	onBoth(t, func(t *testing.T, b *sharedBundle) {
		a, c := b.replica("A"), b.replica("B")
		a.router.Resume(b.ctx, a.conv)
		first := b.chat.next(t)
		msg := first.ref
		c.router.KeepAdopting(c.conv)
		b.clock.Advance(3 * time.Second)
		b.chat.none(t, "B adopting while A holds the lease")

		a.link.cut(true)
		b.clock.Advance(11 * time.Second)
		a.engine.waitStopped(t)
		want(t, b.chat.nextFrom(t, "B"), "B", "update", msg, ": sending")
		b.world.set(b.progress(broadcast.StatusCompleted, 10))
		want(t, b.chat.next(t), "B", "update", msg, ": finished")
		c.engine.waitStopped(t)
		if n := b.chat.summaries(); n != 1 {
			t.Fatalf("%d final summaries, want 1", n)
		}
	})
}
