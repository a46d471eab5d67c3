package modeltest

// KnownBroken lists, by Options.Without name, what the engine does not
// survive yet (issue 11). TestModel leaves them out by default so that it
// guards everything else in CI; -modeltest.without= (empty) puts them all
// back. Delete an entry when its fix lands: testdata/seeds.txt names the
// seeds that show each one.
var KnownBroken = []string{
	// Build 1: once the last number is removed, broadcasts are paused
	// with the reason, but after some restarts and number changes a few
	// still end "sending" with texts queued, or paused without a reason
	// (seeds 21 93 117 132 143 with everything else on).
	"numbers remove",
	// Fixed in the engine, and so no longer left out: "replica counts"
	// (an engine counted every outcome of its commits, even those the
	// store refused as settled elsewhere or fenced; Commit now marks
	// them Refused), "claim spin" (a
	// worker whose queued rows are all of broadcasts it does not follow
	// yet waits for a wake or LeaseEvery instead of asking again at
	// once), "rate across
	// restarts" (a new holder of a sender's lease sends nothing until a
	// second after its last holder may have), "cancel" (a
	// cancelled broadcast with texts in flight is tracked after a restart
	// until they are reconciled), "in-flight limit" (a slot is taken
	// before the pacer is booked) and "pause" (Resume ends a broadcast
	// whose last texts settled while it was paused).
}
