package bot_test

import (
	"testing"
	"time"

	"smsbot/bot"
)

func TestLogLimitLetsOneLineThroughPerPeriod(t *testing.T) {
	l := bot.LogLimit{Every: 10 * time.Second}
	t0 := time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC)
	steps := []struct {
		at       time.Duration
		ok       bool
		suppress int
	}{
		{0, true, 0},
		{time.Second, false, 0},
		{9 * time.Second, false, 0},
		{10 * time.Second, true, 2}, // says how many were held back
		{10*time.Second + time.Millisecond, false, 0},
		{time.Minute, true, 1},
		{2 * time.Minute, true, 0},
	}
	for _, s := range steps {
		ok, held := l.Allow(t0.Add(s.at))
		if ok != s.ok || held != s.suppress {
			t.Fatalf("at %v: Allow = %v, %d; want %v, %d", s.at, ok, held, s.ok, s.suppress)
		}
	}
}
