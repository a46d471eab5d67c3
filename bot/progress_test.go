package bot_test

import (
	"context"
	"fmt"
	"testing"
)

// TestResumeAfterRestartSaysWhatStaysPaused: at start, a broadcast that
// was sending is announced as resumed, and one a person paused as still
// paused, not as resumed.
func TestResumeAfterRestartSaysWhatStaysPaused(t *testing.T) {
	b := setup(t)
	b.do("console", "numbers add +12065550101 1")
	for i := range 20 {
		b.do("console", fmt.Sprintf("add crew +120655500%02d", i))
		b.do("console", fmt.Sprintf("add band +120655501%02d", i))
	}
	b.do("console", "send crew Dinner")
	b.click("console", "approve:1")
	b.do("console", "pause 1")
	b.do("console", "send band Dinner")
	b.click("console", "approve:2")
	conv := &recorder{}
	b.router.Resume(context.Background(), conv)
	posts := conv.take()
	if len(posts) != 2 {
		t.Fatalf("%d posts at start, want 2: %+v", len(posts), posts)
	}
	if got, want := posts[0].Title, "Still paused after restart: Broadcast #1 to crew"; got != want {
		t.Errorf("paused broadcast titled %q, want %q", got, want)
	}
	if got, want := posts[1].Title, "Resumed after restart: Broadcast #2 to band: sending"; got != want {
		t.Errorf("sending broadcast titled %q, want %q", got, want)
	}
}
