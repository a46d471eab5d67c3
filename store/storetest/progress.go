package storetest

import (
	"fmt"
	"testing"
	"time"
)

// testProgressRefs checks the record of which chat message shows each
// broadcast's progress, which replicas share so that whichever holds the
// progress lease edits the same message.
func testProgressRefs(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		"SavedThenReadOnItsPlatformOnly": func(b *bundle) {
			b.members("crew", 0, 1)
			br := b.pending("crew", "Hi")
			if ref, ok, err := b.st.ProgressRef(b.ctx, br.ID, "slack"); err != nil || ok || ref != "" {
				b.t.Fatalf("before any save: %q, %v, %v; want none", ref, ok, err)
			}
			b.check(b.st.SaveProgressRef(b.ctx, br.ID, "slack", "C123/1700000000.000100", b.clock.Now()), "save")
			if ref, ok, err := b.st.ProgressRef(b.ctx, br.ID, "slack"); err != nil || !ok || ref != "C123/1700000000.000100" {
				b.t.Fatalf("after save: %q, %v, %v", ref, ok, err)
			}
			if ref, ok, err := b.st.ProgressRef(b.ctx, br.ID, "discord"); err != nil || ok {
				b.t.Fatalf("on another platform: %q, %v, %v; want none", ref, ok, err)
			}
		},
		"SaveReplacesTheMessage": func(b *bundle) {
			b.members("crew", 0, 1)
			br := b.pending("crew", "Hi")
			b.check(b.st.SaveProgressRef(b.ctx, br.ID, "slack", "C1/1.1", b.clock.Now()), "save")
			b.clock.Advance(time.Second)
			b.check(b.st.SaveProgressRef(b.ctx, br.ID, "slack", "C1/2.2", b.clock.Now()), "save again")
			if ref, ok, err := b.st.ProgressRef(b.ctx, br.ID, "slack"); err != nil || !ok || ref != "C1/2.2" {
				b.t.Fatalf("after a second save: %q, %v, %v; want the second message", ref, ok, err)
			}
			// One message per broadcast: moving it to another platform
			// leaves none on the first.
			b.check(b.st.SaveProgressRef(b.ctx, br.ID, "discord", "99/100", b.clock.Now()), "save on discord")
			if _, ok, err := b.st.ProgressRef(b.ctx, br.ID, "slack"); err != nil || ok {
				b.t.Fatalf("slack after moving to discord: %v, %v; want none", ok, err)
			}
			if ref, ok, err := b.st.ProgressRef(b.ctx, br.ID, "discord"); err != nil || !ok || ref != "99/100" {
				b.t.Fatalf("discord: %q, %v, %v", ref, ok, err)
			}
		},
		"ListedByPlatformUntilDropped": func(b *bundle) {
			b.members("crew", 0, 1)
			var ids []int64
			for i := range 3 {
				br := b.pending("crew", fmt.Sprintf("Hi %d", i))
				ids = append(ids, br.ID)
			}
			b.check(b.st.SaveProgressRef(b.ctx, ids[0], "slack", "C1/1.1", b.clock.Now()), "save 0")
			b.check(b.st.SaveProgressRef(b.ctx, ids[1], "slack", "C1/2.2", b.clock.Now()), "save 1")
			b.check(b.st.SaveProgressRef(b.ctx, ids[2], "discord", "9/9", b.clock.Now()), "save 2")
			refs, err := b.st.ProgressRefsOn(b.ctx, "slack")
			b.check(err, "list")
			if want := fmt.Sprint(map[int64]string{ids[0]: "C1/1.1", ids[1]: "C1/2.2"}); fmt.Sprint(refs) != want {
				b.t.Fatalf("slack refs = %v, want %s", refs, want)
			}
			b.check(b.st.DropProgressRef(b.ctx, ids[0]), "drop")
			b.check(b.st.DropProgressRef(b.ctx, ids[0]), "drop twice")
			refs, err = b.st.ProgressRefsOn(b.ctx, "slack")
			b.check(err, "list after drop")
			if want := fmt.Sprint(map[int64]string{ids[1]: "C1/2.2"}); fmt.Sprint(refs) != want {
				b.t.Fatalf("slack refs after drop = %v, want %s", refs, want)
			}
			if _, ok, err := b.st.ProgressRef(b.ctx, ids[0], "slack"); err != nil || ok {
				b.t.Fatalf("dropped ref read back: %v, %v", ok, err)
			}
			if refs, err := b.st.ProgressRefsOn(b.ctx, "console"); err != nil || len(refs) != 0 {
				b.t.Fatalf("console refs = %v, %v; want none", refs, err)
			}
		},
		"UnknownBroadcastRefused": func(b *bundle) {
			if err := b.st.SaveProgressRef(b.ctx, 4242, "slack", "C1/1.1", b.clock.Now()); err == nil {
				b.t.Fatal("saved a progress message for a broadcast that does not exist")
			}
		},
	})
}
