package stats

import (
	"context"
	"testing"
	"time"

	"smsbot/broadcast"
)

// memPolls is a PollStore over one poll's answers in memory.
type memPolls struct {
	poll    broadcast.Poll
	answers []broadcast.PollAnswer
}

func (m memPolls) Poll(context.Context, int64) (broadcast.Poll, error) { return m.poll, nil }

func (m memPolls) PollAnswers(_ context.Context, _ int64, fn func(broadcast.PollAnswer) error) error {
	for _, a := range m.answers {
		if err := fn(a); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkPollReport computes the report of a 9-option poll with 5,000
// answers (one in ten changed), and draws its chart.
func BenchmarkPollReport(b *testing.B) {
	rep := pollFixture(5000)
	st := memPolls{poll: rep.Poll}
	for i := range 5000 {
		sent := p0.Add(time.Duration(i) * time.Millisecond)
		first := sent.Add(time.Duration(i*37%3600) * time.Second)
		now := first
		if i%10 == 0 {
			now = first.Add(time.Minute)
		}
		st.answers = append(st.answers, broadcast.PollAnswer{Option: 1 + i%9, SentAt: &sent, FirstAt: &first, AnsweredAt: &now})
	}
	ctx := context.Background()
	b.Run("report", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r, err := ComputePoll(ctx, st, 4, p0.Add(2*time.Hour))
			if err != nil || r.Answered != 5000 {
				b.Fatalf("answered %d, %v", r.Answered, err)
			}
		}
	})
	b.Run("chart", func(b *testing.B) {
		r, err := ComputePoll(ctx, st, 4, p0.Add(2*time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := PollChart("Poll #4 to crew", r, time.UTC); err != nil {
				b.Fatal(err)
			}
		}
	})
}
