package store_test

import (
	"testing"

	"smsbot/store"
)

func TestRedactDSN(t *testing.T) {
	for in, want := range map[string]string{
		"./smsbot.db":                        "./smsbot.db",
		"/var/lib/smsbot/a:b@c.db":           "/var/lib/smsbot/a:b@c.db",
		"postgres://u:s3cret@h:5432/db":      "postgres://u:xxxxx@h:5432/db",
		"postgresql://u@h/db?sslmode=verify": "postgresql://u@h/db?sslmode=verify",
		"postgres://u:s3cret@h/%zz":          "the PostgreSQL database",
	} {
		if got := store.RedactDSN(in); got != want {
			t.Errorf("RedactDSN(%q) = %q, want %q", in, got, want)
		}
	}
}
