package main

import (
	"context"
	"sync/atomic"

	"smsbot/bot"
	"smsbot/broadcast/sim"
	"smsbot/inbound"
)

// simWiring connects the simulated carrier's receipts and STOP replies to
// the incoming-text path once startInbound has made it: before that
// (while open resumes broadcasts) they are dropped.
type simWiring struct {
	ready atomic.Pointer[inbound.Service] // set by startInbound, after simInbox.Service
}

// simConfig is the simulated carrier's Config: receipts through the path
// of Twilio's status callbacks and STOP replies through that of incoming
// texts.
func (a *app) simConfig(c Config, cfg sim.Config) sim.Config {
	cfg.Failures = c.SimFailures
	cfg.Receipt = a.simReceipt
	cfg.Reply = a.simReply
	return cfg
}

// simReceipt records a receipt of the simulated carrier as a Twilio
// status callback is recorded: inbound.ParseStatus, then
// inbound.Service.Status. Statuses that are not final (queued, sent)
// change nothing there either.
func (a *app) simReceipt(ctx context.Context, r sim.Receipt) {
	inbox := a.simWired.ready.Load()
	u, final := inbound.ParseStatus(r.SID, r.Status, r.ErrorCode, r.At)
	if inbox == nil || !final {
		return
	}
	if err := inbox.Status(ctx, u); err != nil && ctx.Err() == nil {
		a.log.Warn("simulated delivery receipt not recorded", "component", "sim", "sid", r.SID, "err", err)
	}
}

// simReply makes a recipient of the simulated carrier text in (STOP), as
// /sms sim reply does: stored, applied and relayed to staff.
func (a *app) simReply(ctx context.Context, from, _, body string) {
	if a.simWired.ready.Load() == nil {
		return
	}
	if err := a.simInbox.SimulateText(ctx, from, body); err != nil && ctx.Err() == nil {
		a.log.Warn("simulated reply not received", "component", "sim", "err", err)
	}
}

// simControl is the router's Simulator on the simulated carrier: /sms sim
// reply, and /sms sim failures (bot.SimFailures).
type simControl struct {
	*inbound.SimInbox
	carrier *sim.Provider
}

var _ bot.SimFailures = simControl{}

// SimFailures returns the carrier's failure setting.
func (s simControl) SimFailures() []bot.SimFailure { return botFailures(s.carrier.Failures()) }

// SetSimFailures reads spec as SMSBOT_SIM_FAILURES is read and applies it
// to texts sent from then on.
func (s simControl) SetSimFailures(spec string) ([]bot.SimFailure, error) {
	fs, err := sim.ParseFailures(spec)
	if err != nil {
		return nil, err
	}
	s.carrier.SetFailures(fs)
	return botFailures(fs), nil
}

func botFailures(fs sim.Failures) []bot.SimFailure {
	out := make([]bot.SimFailure, len(fs))
	for i, f := range fs {
		out[i] = bot.SimFailure{Code: f.Code, Percent: f.Percent, AtSend: f.AtSend()}
	}
	return out
}
