package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/inbound"
	"smsbot/stats"
)

func testStats(t *testing.T, open Opener) {
	subtests(t, open, map[string]func(*bundle){
		"ActivityAndTimeline": func(b *bundle) {
			s1 := b.sender("+12065550101", 1)
			s2 := b.sender("+12065550102", 1)
			b.members("crew", 0, 4)
			br := b.sending("crew", "x")
			q1, q2 := b.inFlight(s1.ID), b.inFlight(s2.ID)
			b.clock.Advance(time.Second)
			b.settle(sent(q1[0], sid(1)), sent(q2[0], sid(3)))
			b.clock.Advance(time.Second)
			failed := sent(q2[1], "")
			failed.Status, failed.ErrorCode = broadcast.MsgFailed, "30007"
			b.settle(sent(q1[1], sid(2)), failed)
			b.clock.Advance(time.Second)
			b.receipt(inbound.StatusUpdate{SID: sid(1), Status: broadcast.MsgDelivered})

			act, err := b.st.SenderActivity(b.ctx, br.ID)
			b.check(err, "sender activity")
			want := []stats.Activity{
				{SenderID: s1.ID, Texts: 2, Segments: 2, First: t0.Add(time.Second), Last: t0.Add(2 * time.Second)},
				{SenderID: s2.ID, Texts: 1, Segments: 1, First: t0.Add(time.Second), Last: t0.Add(time.Second)},
			}
			if len(act) != 2 {
				b.t.Fatalf("activity = %+v", act)
			}
			for i := range want {
				if a := act[i]; a.SenderID != want[i].SenderID || a.Texts != want[i].Texts || a.Segments != want[i].Segments ||
					!a.First.Equal(want[i].First) || !a.Last.Equal(want[i].Last) {
					b.t.Fatalf("activity[%d] = %+v, want %+v", i, a, want[i])
				}
			}
			var points []stats.Point
			b.check(b.st.Timeline(b.ctx, br.ID, func(p stats.Point) error { points = append(points, p); return nil }), "timeline")
			if len(points) != 3 || !points[0].Sent.Equal(t0.Add(time.Second)) || !points[2].Sent.Equal(t0.Add(2*time.Second)) || points[2].SenderID != s1.ID {
				b.t.Fatalf("timeline = %+v", points)
			}
			delivered := 0
			for _, p := range points {
				if !p.Delivered.IsZero() {
					delivered++
					if p.SenderID != s1.ID || !p.Delivered.Equal(t0.Add(3*time.Second)) {
						b.t.Fatalf("delivered point %+v", p)
					}
				}
			}
			if delivered != 1 {
				b.t.Fatalf("%d delivered points, want 1", delivered)
			}
			stop := errors.New("stop")
			if err := b.st.Timeline(b.ctx, br.ID, func(stats.Point) error { return stop }); !errors.Is(err, stop) {
				b.t.Fatalf("Timeline returned %v after fn failed", err)
			}
			if err := b.st.Outcomes(b.ctx, br.ID, func(stats.Outcome) error { return stop }); !errors.Is(err, stop) {
				b.t.Fatalf("Outcomes returned %v after fn failed", err)
			}
			totals, err := b.st.MessageTotals(b.ctx)
			b.check(err, "message totals")
			got := map[string]int{}
			for _, t := range totals {
				got[fmt.Sprintf("%s %s %s", t.Sender, t.Status, t.ErrorCode)] += t.Count
			}
			wantTotals := map[string]int{
				s1.Address + " delivered ": 1, s1.Address + " sent ": 1,
				s2.Address + " sent ": 1, s2.Address + " failed 30007": 1,
			}
			if fmt.Sprint(got) != fmt.Sprint(wantTotals) {
				b.t.Fatalf("message totals = %v, want %v", got, wantTotals)
			}
		},
		"Responses": func(b *bundle) {
			s := b.sender("+12065550101", 1)
			b.members("crew", 0, 2)
			b.members("other", 10, 1)
			br := b.sending("crew", "x")
			b.inFlight(s.ID)
			texts := []struct {
				from int
				body string
				k    inbound.Keyword
				at   time.Duration
			}{
				{0, "thanks!", inbound.NoKeyword, time.Minute},
				{1, "STOP", inbound.Stop, 2 * time.Minute},
				{0, "where?", inbound.NoKeyword, 2 * time.Hour}, // after the window
				{10, "hi", inbound.NoKeyword, time.Minute},      // not a recipient
				{0, "early", inbound.NoKeyword, -time.Minute},   // before the window
			}
			for i, x := range texts {
				b.save(inbound.Text{SID: sid(i), From: phone(x.from), To: s.Address, Body: x.body, At: t0.Add(x.at)}, x.k)
			}
			replies, stops, err := b.st.Responses(b.ctx, br.ID, t0, t0.Add(time.Hour))
			b.check(err, "responses")
			if replies != 2 || stops != 1 {
				b.t.Fatalf("responses = %d replies, %d stops; want 2 and 1", replies, stops)
			}
			if n, err := b.st.IncomingTotal(b.ctx); err != nil || n != len(texts) {
				b.t.Fatalf("incoming total = %d, %v", n, err)
			}
		},
	})
}
