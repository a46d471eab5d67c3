package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"smsbot/bot"
	"smsbot/broadcast"
	"smsbot/broadcast/sim"
	"smsbot/broadcast/twilio"
	"smsbot/inbound"
	"smsbot/scheduler"
	"smsbot/stats"
	"smsbot/store"
)

// app is smsbot's wired core: store, provider, engine and router.
type app struct {
	log      *slog.Logger
	store    *store.Store
	engine   *broadcast.Engine
	router   *bot.Router
	sim      *sim.Provider     // nil with Twilio
	twilio   *twilio.Provider  // nil on the simulated carrier
	simInbox *inbound.SimInbox // nil with Twilio
	inbox    *inbound.Service  // set by startInbound
	webhooks *inbound.Webhooks // set by startInbound when SMSBOT_PUBLIC_URL is set
	sched    *scheduler.Scheduler
	metrics  *stats.Metrics
}

// open wires the core and starts the engine, which resumes unfinished
// broadcasts.
func (m *Main) open(ctx context.Context) (*app, error) {
	c := m.Config
	log := slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: c.LogLevel}))
	st, err := store.Open(ctx, store.Config{Path: c.DB, Logger: log})
	if err != nil {
		return nil, err
	}
	a := &app{log: log, store: st}
	var prov broadcast.Provider
	if c.TwilioSID != "" {
		tc := twilio.Config{AccountSID: c.TwilioSID, AuthToken: c.TwilioToken, APIURL: c.TwilioAPIURL}
		if c.PublicURL != "" {
			tc.StatusCallback = strings.TrimSuffix(c.PublicURL, "/") + "/twilio/status"
		}
		a.twilio, err = twilio.New(tc)
		if err != nil {
			st.Close()
			return nil, err
		}
		prov = a.twilio
	} else {
		a.sim = sim.New(sim.Config{Out: m.Stdout, Latency: c.SimLatency})
		prov = a.sim
	}
	a.metrics = stats.NewMetrics(st)
	a.engine, err = broadcast.New(broadcast.Config{Store: st, Provider: a.metrics.Instrument(prov), Logger: log, MaxAttempts: c.MaxAttempts})
	if err != nil {
		st.Close()
		return nil, err
	}
	if err := a.engine.Start(ctx); err != nil {
		a.engine.Close()
		st.Close()
		return nil, err
	}
	a.sched, err = scheduler.New(scheduler.Config{Store: st, Engine: a.engine, Location: c.TZ,
		MisfireGrace: c.MisfireGrace, Logger: log})
	if err != nil {
		a.engine.Close()
		st.Close()
		return nil, err
	}
	rc := bot.Config{
		Scheduler: a.sched, Stats: st, Location: c.TZ,
		Engine: a.engine, Directory: st, Logger: log,
		Admins: c.Admins, Approvers: c.Approvers, PricePerSegment: c.PricePerSegment,
		Region: c.Region, DefaultRate: c.DefaultMPS,
	}
	if a.sim != nil {
		a.simInbox = a.newSimInbox()
		rc.Simulator = a.simInbox
	}
	a.router = bot.New(rc)
	return a, nil
}

// close stops the router, then the engine (texts in flight finish; queued
// ones resume at the next start), then the store.
func (a *app) close() error {
	a.sched.Close()
	a.router.Close()
	err := a.engine.Close()
	return errors.Join(err, a.store.Close())
}

func (a *app) carrier() string {
	if a.sim != nil {
		return "simulated carrier (set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to send real texts)"
	}
	return "Twilio"
}

func (m *Main) banner(a *app) string {
	return fmt.Sprintf(`smsbot console · %s · database %s
Type /sms help. To try it: /sms numbers add +15005550006 3
                           /sms add friends +1 206 555 0100 Ada
                           /sms send friends Dinner is served in Hall B, {{first_name|friend}}!
then copy the /click line of the Approve button. "@name " before a line types it as another user.
Then: /sms sim reply +1 206 555 0100 which room?   (a contact texts back)
      /sms stats 1                                 (delivery report and chart)
`, a.carrier(), m.Config.DB)
}
