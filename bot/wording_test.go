package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"
)

// waitDone waits for broadcast id to finish.
func (b *routerBundle) waitDone(t *testing.T, id int64) {
	t.Helper()
	ch, stop, err := b.engine.Subscribe(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case p, ok := <-ch:
			if !ok {
				t.Fatalf("progress of broadcast #%d ended before it was done", id)
			}
			if p.Done {
				return
			}
		case <-timeout:
			t.Fatalf("broadcast #%d never finished", id)
		}
	}
}

func TestRatesAreWrittenWithTheirUnit(t *testing.T) {
	b := setup(t, "alice")
	tests := []struct{ cmd, want string }{
		{"numbers add +12065550101", "Added +12065550101 at 1 segment/s. "},
		{"numbers add +12065550102 2.5", "Added +12065550102 at 2.5 segments/s. "},
		{"numbers add +12065550101 1", "Updated +12065550101 at 1 segment/s. "},
		{"numbers", "+12065550101 · 1 segment/s"},
		{"numbers", "+12065550102 · 2.5 segments/s"},
	}
	for _, tt := range tests {
		posts := b.do("alice", tt.cmd)
		if len(posts) != 1 || !strings.Contains(posts[0].Text, tt.want) || strings.Contains(posts[0].Text, "1 segments") {
			t.Errorf("%q answered %+v, want %q", tt.cmd, posts, tt.want)
		}
	}
	b.refused(t, "alice", "numbers add +12065550103 1001", `rate "1001" is not a number more than 0 and at most 1000 segments per second`, "between")
	b.refused(t, "alice", "numbers add +12065550103 -1", `rate "-1" is not a number more than 0`, "between")
}

func TestRemovingANumberSaysWhatHappens(t *testing.T) {
	b := setup(t, "alice")
	b.do("alice", "numbers add +12065550101 100")
	b.do("alice", "add crew +12065550001 Ada")
	b.do("alice", "add crew +12065550002 Bob")
	b.do("alice", "send crew Hello")
	b.click("alice", "approve:1") // sending gives the contacts their number
	b.waitDone(t, 1)
	b.do("alice", "numbers add +12065550102 1")
	b.do("alice", "numbers add +12065550103 1")
	tests := []struct{ cmd, want string }{
		{"numbers remove +12065550102", "Removed +12065550102. It had no contacts, so none moved."},
		{"numbers remove +12065550101", "Removed +12065550101. Its 2 contacts moved to the remaining numbers for good."},
		{"numbers remove +12065550103", "Removed +12065550103. It was the last sending number: broadcasts being sent are paused and new ones cannot start until you add a number"},
	}
	for _, tt := range tests {
		posts := b.do("alice", tt.cmd)
		if len(posts) != 1 || !strings.Contains(posts[0].Text, tt.want) || strings.Contains(posts[0].Text, "0 contacts") {
			t.Errorf("%q answered %+v, want %q", tt.cmd, posts, tt.want)
		}
	}
}
