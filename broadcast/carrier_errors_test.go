package broadcast_test

import (
	"testing"

	"smsbot/broadcast"
)

// What a carrier error says about the contact: a number that does not
// exist or cannot take texts is flagged and skipped from then on, STOP
// opts out, and a temporary failure (a phone off) changes nothing, so the
// next broadcast tries them again.
func TestCarrierErrorEffects(t *testing.T) {
	for code, want := range map[string]broadcast.ContactEffect{
		"21211": broadcast.FlagInvalid, "21614": broadcast.FlagInvalid, "30005": broadcast.FlagInvalid, "30006": broadcast.FlagInvalid,
		"21610": broadcast.MarkOptedOut,
		"30003": broadcast.NoEffect, "30007": broadcast.NoEffect, "30008": broadcast.NoEffect, "99999": broadcast.NoEffect,
	} {
		if got := broadcast.ExplainCarrierError(code).Effect; got != want {
			t.Errorf("%s: effect %v, want %v", code, got, want)
		}
	}
}
