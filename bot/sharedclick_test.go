package bot_test

import (
	"fmt"
	"strings"
	"testing"

	"smsbot/bot"
	"smsbot/broadcast"
)

// TestProgressClickedOnAnyReplica: the replica that gets the approval
// click records the message and shows the progress in it; a pause
// clicked on another replica is shown there by the first, not by both.
func TestProgressClickedOnAnyReplica(t *testing.T) {
	onBoth(t, func(t *testing.T, b *sharedBundle) {
		b.world.set(b.progress(broadcast.StatusPending, 0))
		a, c := b.replica("A"), b.replica("B")
		a.router.Resume(b.ctx, a.conv)
		c.router.Resume(b.ctx, c.conv)
		b.chat.none(t, "started with a broadcast waiting for approval")
		const msg = bot.Ref("C1/1700000000.000900")
		c.router.Click(b.ctx, bot.Click{User: "alice", Action: fmt.Sprintf("approve:%d", b.id), Message: msg}, c.conv)
		want(t, b.chat.next(t), "B", "update", msg, ": sending")
		if ref, ok, err := b.st.ProgressRef(b.ctx, b.id, "slack"); err != nil || !ok || ref != string(msg) {
			t.Fatalf("recorded progress message %q, %v, %v; want %s", ref, ok, err, msg)
		}

		a.router.Click(b.ctx, bot.Click{User: "alice", Action: fmt.Sprintf("pause:%d", b.id), Message: msg}, a.conv)
		var editedByB, answeredByA int
		for range 2 {
			switch e := b.chat.next(t); {
			case e.replica == "B" && e.op == "update" && e.ref == msg && strings.HasSuffix(e.m.Title, ": paused"):
				editedByB++
			case e.replica == "A" && e.op == "post" && strings.Contains(e.m.Text, "paused by alice"):
				answeredByA++
			default:
				t.Fatalf("after the pause on A: %s %s %s %q %q", e.replica, e.op, e.ref, e.m.Title, e.m.Text)
			}
		}
		if editedByB != 1 || answeredByA != 1 {
			t.Fatalf("B edited %d times, A answered %d times; want 1 each", editedByB, answeredByA)
		}
		if n := a.engine.following(); n != 0 {
			t.Fatalf("A follows %d broadcasts while B holds the progress lease", n)
		}
		b.world.set(b.progress(broadcast.StatusCompleted, 10))
		want(t, b.chat.next(t), "B", "update", msg, ": finished")
		c.engine.waitStopped(t)
		b.chat.none(t, "after the summary")
		if refs, err := b.st.ProgressRefsOn(b.ctx, "slack"); err != nil || len(refs) != 0 {
			t.Fatalf("progress messages left after the summary: %v, %v", refs, err)
		}
	})
}
