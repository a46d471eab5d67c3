package inbound_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"smsbot/bot"
	"smsbot/broadcast"
	"smsbot/inbound"
)

func textFrom(from, sid, body string) inbound.Text {
	return inbound.Text{SID: sid, From: from, To: "+12065550101", Body: body}
}

// sendPoll sends a poll to crew (Ada) and waits until it is sent.
func (b *bundle) sendPoll(t *testing.T, q broadcast.Question) int64 {
	t.Helper()
	ctx := context.Background()
	p, err := b.engine.Prepare(ctx, broadcast.Draft{List: "crew", Body: q.Text + " 1) " + q.Options[0] + " 2) " + q.Options[1], Question: &q, RequestedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	id := p.Broadcast.ID
	ch, stop, err := b.engine.Subscribe(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if _, err := b.engine.Approve(ctx, id, "test"); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(20 * time.Second)
	for {
		select {
		case pr := <-ch:
			if pr.Done {
				return id
			}
		case <-timeout:
			t.Fatal("poll not sent")
		}
	}
}

func TestWebhookAnswerIsCountedConfirmedAndNotRelayed(t *testing.T) {
	b := setup(t)
	id := b.sendPoll(t, broadcast.Question{Text: "Which shuttle?", Options: []string{"5 pm shuttle", "7 pm shuttle"}, Confirm: "Got it: {answer}. Reply again to change."})
	answer := incoming(t, "+12065550001", sid(1), "2!!")
	if body := b.mustPost(t, "/twilio/inbound", answer, 200); !strings.Contains(body, "<Message>Got it: 7 pm shuttle. Reply again to change.</Message>") {
		t.Errorf("TwiML = %q", body)
	}
	// Twilio retries the webhook: nothing counted or confirmed twice.
	if body := b.mustPost(t, "/twilio/inbound", answer, 200); strings.Contains(body, "<Message>") {
		t.Errorf("replay answered %q", body)
	}
	if got := b.staff.all(); len(got) != 0 {
		t.Errorf("counted answer relayed: %+v", got)
	}
	b.mustPost(t, "/twilio/inbound", incoming(t, "+12065550001", sid(2), "which bus is closer?"), 200)
	got := b.staff.all()
	if len(got) != 1 || !hasField(got[0].msg.Fields, "Poll", "not an answer to poll #1") {
		t.Fatalf("relays = %+v", got)
	}
	tl, err := b.store.Tally(context.Background(), id)
	if err != nil || tl.Answered != 1 || tl.Counts[1] != 1 || tl.Recipients != 1 {
		t.Errorf("tally = %+v, %v", tl, err)
	}
}

func TestAnswerOfAContactWhoOptedOutGetsNoConfirmation(t *testing.T) {
	b := setup(t)
	b.sendPoll(t, broadcast.Question{Text: "Coming?", Options: []string{"Yes", "No"}, Confirm: "Thanks!"})
	if reply, err := b.svc.Receive(context.Background(), textFrom("+12065550001", sid(1), "STOP")); err != nil || reply != "" {
		t.Fatalf("STOP: %q, %v", reply, err)
	}
	if reply, err := b.svc.Receive(context.Background(), textFrom("+12065550001", sid(2), "no")); err != nil || reply != "" {
		t.Errorf("answer after STOP replied %q, %v", reply, err)
	}
	// YES is an opt-in word: from a contact who opted out it only opts
	// back in (staff are told), and answers nothing.
	if reply, err := b.svc.Receive(context.Background(), textFrom("+12065550001", sid(3), "YES")); err != nil || reply != "" {
		t.Errorf("YES after STOP replied %q, %v", reply, err)
	}
	tl, err := b.store.Tally(context.Background(), 1)
	if err != nil || tl.Counts[0] != 0 || tl.Counts[1] != 1 {
		t.Errorf("tally after YES to opt in = %+v, %v", tl, err)
	}
	// Opted in, a YES answers.
	if reply, err := b.svc.Receive(context.Background(), textFrom("+12065550001", sid(4), "yes")); err != nil || reply != "Thanks!" {
		t.Errorf("YES replied %q, %v", reply, err)
	}
	if tl, err = b.store.Tally(context.Background(), 1); err != nil || tl.Counts[0] != 1 || tl.Counts[1] != 0 {
		t.Errorf("tally = %+v, %v", tl, err)
	}
}

func TestNonAnswerRelayedLaterStillSaysSo(t *testing.T) {
	b := setup(t)
	b.sendPoll(t, broadcast.Question{Text: "Which shuttle?", Options: []string{"5 pm", "7 pm"}})
	b.staff.failAt = 1 // chat is down for the first relay
	if _, err := b.svc.Receive(context.Background(), textFrom("+12065550001", sid(1), "1 and 2")); err != nil {
		t.Fatal(err)
	}
	pending, err := b.store.Unrelayed(context.Background(), 10)
	if err != nil || len(pending) != 1 || pending[0].Poll.Poll != 1 || pending[0].Poll.Counted() {
		t.Fatalf("unrelayed = %+v, %v", pending, err)
	}
}

func hasField(fields []bot.Field, label, value string) bool {
	for _, f := range fields {
		if f.Label == label && f.Value == value {
			return true
		}
	}
	return false
}
