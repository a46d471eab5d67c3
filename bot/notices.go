package bot

import (
	"context"
	"fmt"
	"time"

	"smsbot/broadcast"
	"smsbot/scheduler"
)

// Notices returns the scheduler's notifier for a staff channel: it shows
// scheduled broadcasts as they start (with live progress and a summary),
// and asks staff what to do with runs missed while the bot was down.
func (r *Router) Notices(staff Conversation) scheduler.Notifier {
	return notices{r: r, conv: staff}
}

type notices struct {
	r    *Router
	conv Conversation
}

func (n notices) post(ctx context.Context, m Message) {
	if _, err := n.conv.Post(ctx, m); err != nil {
		n.r.log.Error("posting schedule notice failed", "err", Redact(err))
	}
}

func (n notices) Fired(ctx context.Context, s scheduler.Schedule, b broadcast.Broadcast) {
	p, err := n.r.engine.Status(ctx, b.ID)
	if err != nil {
		n.r.log.Error("reading broadcast failed", "broadcast_id", b.ID, "err", Redact(err))
		return
	}
	m := n.r.progressMessage(ctx, p)
	m.Title = fmt.Sprintf("⏰ Schedule #%d started: %s", s.ID, m.Title)
	ref, err := n.conv.Post(ctx, m)
	if err != nil {
		n.r.log.Error("posting schedule notice failed", "err", Redact(err))
		return
	}
	n.r.watch(b.ID, ref, n.conv, p.Broadcast.Status)
	n.r.showTally(ctx, b.ID, n.conv) // a scheduled poll's live tally, as on approval
}

func (n notices) Missed(ctx context.Context, s scheduler.Schedule, at time.Time) {
	sched, _ := n.r.scheduler()
	n.post(ctx, Message{
		Title: fmt.Sprintf("⚠️ Schedule #%d to %s was due %s, while smsbot was down", s.ID, s.ListName, sched.Describe(at)),
		Text:  quote(s.Body) + "\nIt was not sent late on its own. Send it now, or drop it?",
		Buttons: []Button{
			{Label: "Send now", Action: action("snow", s.ID), Style: Primary},
			{Label: "Drop", Action: action("sdrop", s.ID), Style: Danger},
		},
	})
}

func (n notices) Skipped(ctx context.Context, s scheduler.Schedule, k int, last time.Time) {
	sched, _ := n.r.scheduler()
	n.post(ctx, Message{Text: fmt.Sprintf("⏭️ Schedule #%d to %s skipped %s missed while smsbot was down (the last due %s); next: %s",
		s.ID, s.ListName, plural(k, "run"), sched.Describe(last), sched.Describe(s.NextRun))})
}

func (n notices) Failed(ctx context.Context, s scheduler.Schedule, err error) {
	n.post(ctx, Message{Text: fmt.Sprintf("⚠️ Schedule #%d to %s could not start: %s", s.ID, s.ListName, broadcast.ErrorMessage(err))})
}
