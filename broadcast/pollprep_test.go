package broadcast_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"smsbot/broadcast"
)

// A poll previewed with a closing time and approved after it has passed
// is refused: its answers would count for nothing. Before, it is sent.
func TestApprovingAPollAfterItsClosingTimeIsRefused(t *testing.T) {
	c := setupClocked(t, testOpts{})
	c.addSenders(t, 10, "+12065550100")
	c.addContacts(t, "crew", 2, 1)
	ctx := context.Background()
	prepare := func(closesIn time.Duration) int64 {
		closes := c.fake.Now().Add(closesIn)
		q := broadcast.Question{Text: "Coming?", Options: []string{"Yes", "No"}, ClosesAt: &closes}
		p, err := c.engine.Prepare(ctx, broadcast.Draft{List: "crew", Body: "Coming? 1) Yes 2) No", Question: &q, RequestedBy: "ann"})
		if err != nil {
			t.Fatal(err)
		}
		return p.Broadcast.ID
	}
	late, soon := prepare(time.Minute), prepare(time.Hour)
	c.fake.Advance(2 * time.Minute)
	_, err := c.engine.Approve(ctx, late, "bob")
	if broadcast.ErrorCode(err) != broadcast.ECONFLICT || !strings.Contains(err.Error(), "which has passed: ask it again with a later --closes") {
		t.Fatalf("approving after the closing time: %v", err)
	}
	if b, err := c.store.Broadcast(ctx, late); err != nil || b.Status != broadcast.StatusPending {
		t.Fatalf("refused poll = %+v, %v", b, err)
	}
	if _, err := c.engine.Approve(ctx, soon, "bob"); err != nil {
		t.Fatalf("approving before the closing time: %v", err)
	}
}
