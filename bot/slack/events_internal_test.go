package slack

import (
	"fmt"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

func TestSeenEventsForgetAfterAnHourOrWhenFull(t *testing.T) {
	clock := clockwork.NewFakeClock()
	s := newSeen(clock, seenFor, maxSeen)
	if !s.first("Ev1") || s.first("Ev1") {
		t.Fatal("an event must be new once, then seen")
	}
	clock.Advance(5 * time.Minute) // Slack's last redelivery
	if s.first("Ev1") {
		t.Fatal("forgot an event within Slack's redeliveries")
	}
	clock.Advance(seenFor)
	if !s.first("Ev1") {
		t.Fatal("an event is remembered for more than seenFor")
	}
	for i := range maxSeen {
		s.first(fmt.Sprintf("Ev-%d", i))
	}
	if len(s.at) > maxSeen || len(s.order) != len(s.at) {
		t.Fatalf("%d events remembered (%d in order), at most %d", len(s.at), len(s.order), maxSeen)
	}
	if !s.first("Ev1") {
		t.Fatal("the oldest event was not forgotten when full")
	}
	if s.first(fmt.Sprintf("Ev-%d", maxSeen-1)) {
		t.Fatal("a recent event was forgotten")
	}
}
