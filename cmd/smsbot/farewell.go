package main

import (
	"context"

	"smsbot/bot"
	"smsbot/broadcast"
)

// unfinished returns the broadcasts sending or paused, each with its
// progress, for what the console says at the end of input and on exit.
func (a *app) unfinished(ctx context.Context) ([]broadcast.Progress, error) {
	list, err := a.engine.Unfinished(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]broadcast.Progress, 0, len(list))
	for _, b := range list {
		p, err := a.engine.Status(ctx, b.ID)
		if err != nil {
			return out, err
		}
		out = append(out, p)
	}
	return out, nil
}

// scheduled returns how many schedules are to fire or wait for a
// decision, and when the next one fires, as the scheduler writes times.
func (a *app) scheduled(ctx context.Context) (int, string, error) {
	list, err := a.sched.Upcoming(ctx)
	if err != nil {
		return 0, "", err
	}
	next := ""
	for _, s := range list { // soonest first
		if !s.NextRun.IsZero() {
			next = a.sched.Describe(s.NextRun)
			break
		}
	}
	return len(list), next, nil
}

// idle waits, at the end of the console's input, for the running
// broadcasts and then for the simulated carrier's receipts and STOP
// replies still due (a few seconds), saying so in chat, so that a piped
// script's texts are delivered before it exits.
func (a *app) idle(say bot.Conversation) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		if err := a.engine.WaitIdle(ctx); err != nil {
			return err
		}
		if a.sim == nil {
			return nil
		}
		if a.sim.Due() > 0 {
			note := "Waiting a few seconds for the simulated carrier's last receipts and replies…"
			if _, err := say.Post(ctx, bot.Message{Text: note}); err != nil {
				return err
			}
		}
		return a.sim.WaitReceipts(ctx)
	}
}
