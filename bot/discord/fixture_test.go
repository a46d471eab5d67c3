package discord_test

import (
	"testing"

	"smsbot/bot/bottest"
)

// fixture reads the recorded payload testdata/discord/<name> at the module's
// root (see the README there).
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	return bottest.Fixture(t, "discord/"+name)
}

// crewCSV is testdata/csv/crew.csv, the list the import scenarios upload:
// two contacts, one too-short number and a team merge field.
func crewCSV(t testing.TB) string {
	t.Helper()
	return string(bottest.Fixture(t, "csv/crew.csv"))
}
