package modeltest_test

import (
	"flag"
	"os"
	"testing"

	"smsbot/store/storetest"
)

var flagPostgresN = flag.Int("modeltest.pgn", defaultPostgresN(), "number of random sequences TestModelTwoEnginesPostgres plays")

// postgresSeedsFile keeps the seeds that broke an invariant with two
// engines on PostgreSQL; TestModelTwoEnginesPostgres replays them first.
const postgresSeedsFile = "testdata/seeds-postgres.txt"

func defaultPostgresN() int {
	if raceEnabled {
		return 2
	}
	return 30
}

// TestModelTwoEnginesPostgres plays the model's sequences against two
// engines at once on one PostgreSQL schema (issue 15): every operation
// goes to one of them, a kill freezes one (its leases expire on the
// virtual clock and the other takes its senders over) and a new engine
// replaces it later. It needs SMSBOT_TEST_POSTGRES (it skips without,
// and fails without under CI). The other flags are TestModel's.
func TestModelTwoEnginesPostgres(t *testing.T) {
	if os.Getenv(storetest.PostgresEnv) == "" {
		storetest.Postgres(t) // skips, or fails under CI, saying how to run it
	}
	opts := options(t)
	opts.Engines = 2
	playAll(t, opts, sequences(*flagPostgresN, "modeltest.pgn", 8), postgresSeedsFile, "TestModelTwoEnginesPostgres$")
}
