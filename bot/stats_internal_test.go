package bot

import (
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/stats"
)

// TestSenderRateWording: rates read as English, "1 segment/s" in the
// singular, the achieved one rounded to hundredths.
func TestSenderRateWording(t *testing.T) {
	sender := broadcast.Sender{Address: "+12065550101", Rate: 1}
	tests := []struct {
		name       string
		achieved   float64
		active     time.Duration
		configured []float64
		want       string
	}{
		{"one", 1, 4 * time.Second, []float64{1}, "1 segment/s over 4s of sending (configured 1 segment/s)"},
		{"rounds to one", 0.999, time.Minute, []float64{1}, "1 segment/s over 1m00s of sending (configured 1 segment/s)"},
		{"hundredths", 5.236, 62 * time.Second, []float64{5}, "5.24 segments/s over 1m02s of sending (configured 5 segments/s)"},
		{"a half", 2.5, 10 * time.Second, []float64{3}, "2.5 segments/s over 10s of sending (configured 3 segments/s)"},
		{"changed mid-broadcast", 3, 10 * time.Second, []float64{5, 1}, "3 segments/s over 10s of sending (configured 5, then 1 segment/s)"},
		{"changed twice", 3, 10 * time.Second, []float64{1, 5, 2}, "3 segments/s over 10s of sending (configured 1, then 5, then 2 segments/s)"},
		{"not recorded", 1, 4 * time.Second, nil, "1 segment/s over 4s of sending (configured 1 segment/s now; its rate when it sent was not recorded)"},
		{"under a second", 5, 800 * time.Millisecond, []float64{5}, "5 segments/s over 0.8s of sending (configured 5 segments/s)"},
		{"one text", 0, 0, []float64{1}, "too few to measure a rate (configured 1 segment/s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := stats.SenderReport{Sender: sender, Achieved: tt.achieved, Active: tt.active, Configured: tt.configured}
			if got := achievedRate(s) + " (" + configuredRate(s) + ")"; got != tt.want {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
