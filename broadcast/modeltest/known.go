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
	// Issue 15, two engines (TestModelTwoEnginesPostgres, seeds 63 and
	// 69 of testdata/seeds-postgres.txt, 2 of seeds 31-130): an engine's
	// in-memory counts, updated by its own commits and reloaded from the
	// database every LeaseEvery, count one outcome twice. Seed 63: a
	// snapshot with sending -1 and every text sent. Seed 69: engine 3
	// completes B0 (its counts say 19 of 19 sent) while a text of
	// engine 2 is still in flight in the store, and engine 2 then
	// reports B0 completed with "sending 1, sent 18"; the store ends
	// with 19 sent. Likely cause: the store settles an outcome only while
	// its row is Sending and its sender's lease still has the outcome's
	// token (store/stmts.go, store/commitpg.go), but Commit reports only
	// the claims it made, and Engine.applied (broadcast/run.go) counts
	// every outcome of the commit, fenced or already settled elsewhere,
	// until the next reload; a run whose counts reach 0 open completes.
	// Left out, with several engines the engines' own counts
	// (snapshots, final reports, lag) go unchecked.
	"replica counts",
	// Fixed in the engine, and so no longer left out: "claim spin" (a
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
