package bot_test

import (
	"context"
	"strings"
	"testing"
)

// outcomes sends crew's three texts, then gives them the outcomes a
// carrier would: one awaiting a receipt, one undelivered (30003), one
// refused at the send (21211), both with Twilio's raw texts.
func outcomes(t *testing.T) *routerBundle {
	t.Helper()
	b := setup(t)
	b.do("console", "numbers add +12065550101 100")
	for _, p := range []string{"+12065550001", "+12065550002", "+12065550003"} {
		b.do("console", "add crew "+p)
	}
	b.do("console", "send crew Dinner")
	b.click("console", "approve:1")
	b.waitIdle(t)
	for _, u := range []struct{ phone, status, code, text string }{
		{"+12065550002", "undelivered", "30003", "Unreachable destination handset"},
		{"+12065550003", "failed", "21211", "Invalid 'To' Phone Number"},
	} {
		_, err := b.store.DB().DB.ExecContext(context.Background(), `UPDATE messages SET status = ?, error_code = ?, error_text = ? WHERE to_phone = ?`,
			u.status, u.code, u.text, u.phone)
		if err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// TestOutcomeWordedAlikeEverywhere: the finished block (as /sms status 1
// shows it), /sms stats 1 and the /sms stats list count an undelivered
// receipt as undelivered and a refused send as failed, and explain each
// with the same words, not Twilio's raw text.
func TestOutcomeWordedAlikeEverywhere(t *testing.T) {
	b := outcomes(t)
	posts := b.do("console", "status 1")
	if len(posts) != 1 {
		t.Fatalf("status: %+v", posts)
	}
	st := posts[0]
	if want := "Sent 2, failed 1, skipped 0 of 3 in "; !strings.HasPrefix(st.Text, want) || !strings.HasSuffix(st.Text, "Receipts so far: 0 delivered, 1 undelivered, 1 awaiting.") {
		t.Errorf("status text %q, want %q… and the receipts so far", st.Text, want)
	}
	undelivered, _ := field(st, "Undelivered")
	failed, _ := field(st, "Failed")
	if !strings.HasPrefix(undelivered, "30003 unreachable") || !strings.HasPrefix(failed, "21211 ") || strings.Contains(undelivered+failed, "Invalid 'To'") || strings.Contains(undelivered+failed, "handset") {
		t.Errorf("status: undelivered %q, failed %q; want each explained, not Twilio's raw text", undelivered, failed)
	}
	posts = b.do("console", "stats 1")
	if len(posts) != 1 {
		t.Fatalf("stats: %+v", posts)
	}
	reasons := strings.Split(statsField(t, posts[0], "Not delivered, by reason"), "\n")
	if len(reasons) != 2 || !contains(reasons, undelivered) || !contains(reasons, failed) {
		t.Errorf("stats reasons %q; want the same lines as status: %q and %q", reasons, undelivered, failed)
	}
	if got := statsField(t, posts[0], "Texts"); !strings.Contains(got, "1 undelivered · 1 failed") {
		t.Errorf("stats texts %q", got)
	}
	posts = b.do("console", "stats")
	if len(posts) != 1 || !strings.Contains(posts[0].Text, "· undelivered 1 · failed 1 ·") {
		t.Errorf("stats list %+v; want its row to count the undelivered text", posts)
	}
	posts = b.do("console", "status")
	if len(posts) != 1 || !strings.Contains(posts[0].Text, "sent 2/3, undelivered 1, failed 1, skipped 0") {
		t.Errorf("status list %+v; want its line to count the undelivered text", posts)
	}
}

// TestStatsOfNothingSentHasNoShare: with every text refused, /sms stats 1
// does not say "0 delivered (0.0%)".
func TestStatsOfNothingSentHasNoShare(t *testing.T) {
	b := outcomes(t)
	if _, err := b.store.DB().DB.ExecContext(context.Background(), `UPDATE messages SET status = 'failed', error_code = '21211'`); err != nil {
		t.Fatal(err)
	}
	posts := b.do("console", "stats 1")
	if len(posts) != 1 {
		t.Fatalf("stats: %+v", posts)
	}
	if got, want := statsField(t, posts[0], "Texts"), "0 sent · 3 failed · 0 skipped · 0 not sent yet"; got != want {
		t.Errorf("texts %q, want %q", got, want)
	}
	st := b.do("console", "status 1")
	if len(st) != 1 || !strings.HasPrefix(st[0].Text, "Sent 0, failed 3, skipped 0 of 3 in ") || strings.Contains(st[0].Text, "Receipts") {
		t.Errorf("status %+v; want no receipts sentence with nothing sent", st)
	}
}

func contains(lines []string, s string) bool {
	for _, l := range lines {
		if l == s {
			return true
		}
	}
	return false
}
