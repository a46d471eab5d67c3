package stats

import (
	"reflect"
	"testing"
	"time"

	"smsbot/broadcast"
)

var p0 = time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)

func minutes(m ...float64) []time.Duration {
	out := make([]time.Duration, len(m))
	for i, x := range m {
		out[i] = time.Duration(x * float64(time.Minute))
	}
	return out
}

func TestSummarizeDurations(t *testing.T) {
	tests := []struct {
		name string
		in   []time.Duration
		want Durations
	}{
		{"none", nil, Durations{}},
		{"one", minutes(7), Durations{N: 1, Median: 7 * time.Minute, P90: 7 * time.Minute}},
		{"two: the lower middle", minutes(9, 1), Durations{N: 2, Median: time.Minute, P90: 9 * time.Minute}},
		{"odd count, unsorted", minutes(5, 1, 3), Durations{N: 3, Median: 3 * time.Minute, P90: 5 * time.Minute}},
		{"ten: rank 9 of 10 is the 90th", minutes(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), Durations{N: 10, Median: 5 * time.Minute, P90: 9 * time.Minute}},
		{"eleven: rank 10", minutes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 600), Durations{N: 11, Median: 6 * time.Minute, P90: 10 * time.Minute}},
		{"thirty: rank 27, no float rounding", minutes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30),
			Durations{N: 30, Median: 15 * time.Minute, P90: 27 * time.Minute}},
		{"a slow one does not move the median", minutes(1, 1, 1, 2, 2000), Durations{N: 5, Median: time.Minute, P90: 2000 * time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]time.Duration(nil), tt.in...)
			if got := summarize(tt.in); got != tt.want {
				t.Fatalf("summarize(%v) = %+v, want %+v", tt.in, got, tt.want)
			}
			if !reflect.DeepEqual(in, tt.in) {
				t.Fatalf("summarize sorted its argument: %v", tt.in)
			}
		})
	}
}

func TestRateOverTime(t *testing.T) {
	at := func(m ...float64) []time.Time {
		var out []time.Time
		for _, d := range minutes(m...) {
			out = append(out, p0.Add(d))
		}
		return out
	}
	tests := []struct {
		name       string
		firsts     []time.Time
		recipients int
		age        time.Duration
		want       []RateAt
	}{
		{"younger than the first milestone", at(1), 4, 4 * time.Minute, nil},
		{"exactly at a milestone: it has passed, an answer on it counts", at(5), 4, 5 * time.Minute,
			[]RateAt{{After: 5 * time.Minute, Answered: 1, Rate: 0.25}}},
		{"two hours old: three milestones", at(1, 10, 30, 90), 8, 2 * time.Hour, []RateAt{
			{After: 5 * time.Minute, Answered: 1, Rate: 0.125},
			{After: 15 * time.Minute, Answered: 2, Rate: 0.25},
			{After: time.Hour, Answered: 3, Rate: 0.375},
		}},
		{"a week and more: all", at(1, 300, 2000), 3, 8 * 24 * time.Hour, []RateAt{
			{5 * time.Minute, 1, 1.0 / 3}, {15 * time.Minute, 1, 1.0 / 3}, {time.Hour, 1, 1.0 / 3},
			{4 * time.Hour, 1, 1.0 / 3}, {24 * time.Hour, 2, 2.0 / 3}, {7 * 24 * time.Hour, 3, 1},
		}},
		{"no recipients: rate 0", nil, 0, time.Hour, []RateAt{{After: 5 * time.Minute}, {After: 15 * time.Minute}, {After: time.Hour}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rateOverTime(tt.firsts, tt.recipients, p0, p0.Add(tt.age))
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// answer is a recipient sent the poll sent minutes after p0, who first
// answered first minutes after p0 and now has option at now minutes
// (option 0 and first < 0: no answer; sent < 0: their text failed).
func answer(sent float64, option int, first, now float64) broadcast.PollAnswer {
	m := func(x float64) *time.Time { t := p0.Add(time.Duration(x * float64(time.Minute))); return &t }
	a := broadcast.PollAnswer{Option: option}
	if sent >= 0 {
		a.SentAt = m(sent)
	}
	if option > 0 {
		a.FirstAt, a.AnsweredAt = m(first), m(now)
	}
	return a
}

func TestPollReport(t *testing.T) {
	two := broadcast.Poll{ID: 4, Question: broadcast.Question{Text: "Which shuttle?", Options: []string{"5 pm", "7 pm"}}}
	closed := two
	closedAt := p0.Add(30 * time.Minute)
	closed.ClosedAt = &closedAt
	tests := []struct {
		name    string
		poll    broadcast.Poll
		answers []broadcast.PollAnswer
		age     time.Duration
		want    PollReport
	}{
		{"nobody sent yet", two, nil, time.Hour, PollReport{Counts: []int{0, 0}}},
		{"three recipients, two answered, one changed", two, []broadcast.PollAnswer{
			answer(0, 1, 2, 2), answer(1, 2, 4, 20), answer(2, 0, -1, -1),
		}, time.Hour, PollReport{
			Recipients: 3, Answered: 2, ResponseRate: 2.0 / 3, Counts: []int{1, 1}, Changed: 1,
			TimeToAnswer: Durations{N: 2, Median: 2 * time.Minute, P90: 3 * time.Minute},
			OverTime:     []RateAt{{5 * time.Minute, 2, 2.0 / 3}, {15 * time.Minute, 2, 2.0 / 3}, {time.Hour, 2, 2.0 / 3}},
		}},
		{"an answer whose text then failed counts for its option only", two, []broadcast.PollAnswer{
			answer(0, 1, 1, 1), answer(-1, 2, 3, 3),
		}, 10 * time.Minute, PollReport{
			Recipients: 1, Answered: 1, ResponseRate: 1, Counts: []int{1, 1},
			TimeToAnswer: Durations{N: 1, Median: time.Minute, P90: time.Minute},
			OverTime:     []RateAt{{5 * time.Minute, 1, 1}},
		}},
		{"closed after 30 min: milestones stop there", closed, []broadcast.PollAnswer{
			answer(0, 2, 10, 10), answer(0, 0, -1, -1),
		}, 48 * time.Hour, PollReport{
			Recipients: 2, Answered: 1, ResponseRate: 0.5, Counts: []int{0, 1},
			TimeToAnswer: Durations{N: 1, Median: 10 * time.Minute, P90: 10 * time.Minute},
			OverTime:     []RateAt{{5 * time.Minute, 0, 0}, {15 * time.Minute, 1, 0.5}},
		}},
		{"an answer before its text's send time (clock skew) takes no time", two, []broadcast.PollAnswer{
			answer(5, 1, 4, 4),
		}, time.Hour, PollReport{
			Recipients: 1, Answered: 1, ResponseRate: 1, Counts: []int{1, 0},
			TimeToAnswer: Durations{N: 1},
			OverTime:     []RateAt{{5 * time.Minute, 1, 1}, {15 * time.Minute, 1, 1}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pollReport(tt.poll, tt.answers, p0.Add(tt.age))
			want := tt.want
			want.Poll = tt.poll
			want.End = pollEnd(tt.poll, p0.Add(tt.age))
			if len(tt.answers) > 0 {
				want.Start = p0
				if tt.answers[0].SentAt != nil {
					want.Start = *tt.answers[0].SentAt
				}
			}
			got.Timeline = nil
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestPollEnd(t *testing.T) {
	now := p0.Add(time.Hour)
	before, after := p0.Add(10*time.Minute), p0.Add(2*time.Hour)
	tests := []struct {
		name             string
		closedAt, closes *time.Time
		want             time.Time
	}{
		{"open", nil, nil, now},
		{"closing time to come", nil, &after, now},
		{"closing time passed", nil, &before, before},
		{"closed by hand", &before, &after, before},
	}
	for _, tt := range tests {
		p := broadcast.Poll{ClosedAt: tt.closedAt, Question: broadcast.Question{ClosesAt: tt.closes}}
		if got := pollEnd(p, now); !got.Equal(tt.want) {
			t.Errorf("%s: end %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestPollTimelineIsInOrderPerOption(t *testing.T) {
	two := broadcast.Poll{Question: broadcast.Question{Options: []string{"a", "b"}}}
	r := pollReport(two, []broadcast.PollAnswer{
		answer(0, 2, 9, 9), answer(0, 1, 3, 7), answer(0, 2, 1, 1), answer(0, 1, 2, 2),
	}, p0.Add(time.Hour))
	m := func(x float64) time.Time { return p0.Add(time.Duration(x * float64(time.Minute))) }
	want := [][]time.Time{{m(2), m(7)}, {m(1), m(9)}}
	if !reflect.DeepEqual(r.Timeline, want) {
		t.Fatalf("timeline %v, want %v (by the current answer's time)", r.Timeline, want)
	}
}
