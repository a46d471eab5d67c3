package broadcast_test

import (
	"os"
	"path/filepath"
	"testing"

	"smsbot/store/storetest"
)

// engineDBEnv set to "postgres" runs the engine tests on PostgreSQL
// (a schema of SMSBOT_TEST_POSTGRES per test) instead of a SQLite file:
// .ci/run runs this package both ways.
const engineDBEnv = "SMSBOT_TEST_ENGINE_DB"

// testDB returns a fresh database for one test: a SQLite file, or a
// PostgreSQL DSN with a schema of its own when SMSBOT_TEST_ENGINE_DB is
// postgres.
func testDB(t testing.TB) string {
	t.Helper()
	if os.Getenv(engineDBEnv) == "postgres" {
		return storetest.Postgres(t)
	}
	return filepath.Join(t.TempDir(), "smsbot.db")
}
