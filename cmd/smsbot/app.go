package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"

	"smsbot/bot"
	"smsbot/broadcast"
	"smsbot/broadcast/sim"
	"smsbot/broadcast/twilio"
	"smsbot/inbound"
	"smsbot/lease"
	"smsbot/scheduler"
	"smsbot/stats"
	"smsbot/store"
)

// app is smsbot's wired core: store, provider, engine and router.
type app struct {
	log      *slog.Logger
	logs     *logSink    // where log goes; closed last
	lock     *store.Lock // held from before the store opens until after it closes
	store    *store.Store
	engine   *broadcast.Engine
	router   *bot.Router
	sim      *sim.Provider     // nil with Twilio
	twilio   *twilio.Provider  // nil on the simulated carrier
	simInbox *inbound.SimInbox // nil with Twilio
	simWired simWiring         // the simulated carrier's receipts and replies (simcarrier.go)
	inbox    *inbound.Service  // set by startInbound
	webhooks *inbound.Webhooks // set by startInbound when SMSBOT_PUBLIC_URL is set
	sched    *scheduler.Scheduler
	metrics  *stats.Metrics
	// leases is the process's one lease Keeper (leases.go), shared with
	// the engine; stopLeases ends it, releasing what it holds.
	leases     *lease.Keeper
	stopLeases func()
	// ready is set while serve can serve: the store open, the engine
	// started and the HTTP server listening (GET /readyz).
	ready atomic.Bool

	// stopInbound, set by startInbound, ends the relay loop and the
	// poller and waits for them to return.
	stopInbound func()
}

// open takes the database's lock, wires the core and starts the engine,
// which resumes unfinished broadcasts. A second console or serve on the
// same database gets an *alreadyRunningError before anything in the
// database is touched (no migration, no reconciliation).
func (m *Main) open(ctx context.Context) (_ *app, err error) { return m.openLogged(ctx, false) }

// openLogged is open with the console's logging (to smsbot.log beside
// the database) when console is set, else to stderr.
func (m *Main) openLogged(ctx context.Context, console bool) (_ *app, err error) {
	c := m.Config
	// The engine's Start reconciles every row left sending; holding the
	// lock first guarantees that no live process owns those rows.
	lock := store.NewLock(c.DB)
	if err := lock.Acquire(ctx); err != nil {
		var held *store.HeldError
		if errors.As(err, &held) {
			return nil, &alreadyRunningError{held}
		}
		return nil, err
	}
	logs := m.newLogSink(console) // after the lock: a refused second console writes nothing
	log := logs.log
	a := &app{log: log, logs: logs, lock: lock}
	defer func() {
		if err != nil { // a named result: every failure below undoes what is open
			a.abort()
		}
	}()
	if a.store, err = store.Open(ctx, store.Config{Path: c.DB, Logger: log}); err != nil {
		return nil, err
	}
	st := a.store
	if err := a.startLeases(ctx); err != nil {
		return nil, err
	}
	var prov broadcast.Provider
	// One cap on calls in flight for the account: sends, lookups, polls.
	gate := broadcast.NewGate(broadcast.GateConfig{Limit: c.Concurrency, Name: "the simulated carrier"})
	if c.TwilioSID != "" {
		gate = broadcast.NewGate(broadcast.GateConfig{Limit: c.Concurrency, Name: "Twilio"})
		tc := twilio.Config{AccountSID: c.TwilioSID, AuthToken: c.TwilioToken, APIURL: c.TwilioAPIURL, Gate: gate,
			Timeout: c.TwilioTimeout, ResponseHeaderTimeout: c.TwilioHeaderTimeout,
			DialTimeout: c.TwilioDialTimeout, TLSHandshakeTimeout: c.TwilioTLSTimeout}
		if c.PublicURL != "" {
			tc.StatusCallback = strings.TrimSuffix(c.PublicURL, "/") + "/twilio/status"
		}
		if a.twilio, err = twilio.New(tc); err != nil {
			return nil, err
		}
		prov = a.twilio
	} else {
		a.sim = sim.New(a.simConfig(c, sim.Config{Out: m.simOut(), Latency: c.SimLatency, LookupLatency: c.SimLatency}))
		prov = a.sim
	}
	a.metrics = stats.NewMetrics(st)
	a.metrics.WatchGate(gate)
	a.metrics.WatchLeases(a.leases)
	engine, err := broadcast.New(broadcast.Config{Store: st, Provider: a.metrics.Instrument(prov), Logger: log,
		MaxAttempts: c.MaxAttempts, Gate: gate, Leases: a.leases})
	if err != nil {
		return nil, err
	}
	a.engine = engine
	if err := a.engine.Start(ctx); err != nil {
		return nil, err
	}
	if a.sched, err = scheduler.New(scheduler.Config{Store: st, Engine: a.engine, Location: c.TZ,
		MisfireGrace: c.MisfireGrace, Logger: log}); err != nil {
		return nil, err
	}
	rc := bot.Config{
		Scheduler: a.sched, Stats: st, Polls: st, Location: c.TZ,
		Engine: a.engine, Directory: st, Logger: log,
		// One replica edits each progress message (progress:<id>).
		Leases: a.leases, ProgressRefs: st,
		Admins: c.Admins, Approvers: c.Approvers, PricePerSegment: c.PricePerSegment,
		Region: c.Region, DefaultRate: c.DefaultMPS, MaxImportBytes: c.MaxImportBytes,
	}
	if a.sim != nil {
		a.simInbox = a.newSimInbox()
		rc.Simulator = simControl{SimInbox: a.simInbox, carrier: a.sim} // also /sms sim failures
	}
	a.router = bot.New(rc)
	return a, nil
}

// close stops incoming texts (the relay loop and the poller return
// first), the scheduler and the router, then the engine (texts in flight
// finish; queued ones resume at the next start), then the leases (released
// for the other replicas), then the store, and releases the lock.
func (a *app) close() error {
	if a.sim != nil {
		a.sim.Close() // no receipt or reply from now on
	}
	if a.stopInbound != nil {
		a.stopInbound()
	}
	a.sched.Close()
	a.router.Close()
	err := a.engine.Close()
	a.stopLeases()
	return errors.Join(err, a.store.Close(), a.lock.Release(), a.logs.close())
}

// abort undoes a partly done open.
func (a *app) abort() {
	if a.engine != nil {
		a.engine.Close()
	}
	if a.stopLeases != nil {
		a.stopLeases()
	}
	if a.store != nil {
		a.store.Close()
	}
	a.lock.Release()
	a.logs.close()
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
Logs: %s
`, a.carrier(), store.RedactDSN(m.Config.DB), a.logs.where)
}

// alreadyRunningError is open's refusal when another smsbot holds the
// database: one line, printed as is.
type alreadyRunningError struct{ held *store.HeldError }

// Error names the database and its holder and says what to do.
func (e *alreadyRunningError) Error() string {
	h := e.held.Holder
	who := fmt.Sprintf("another process holds %s", e.held.File)
	if h.PID != 0 {
		who = fmt.Sprintf("pid %d on host %s, since %s", h.PID, h.Host, h.Since.Local().Format("2006-01-02 15:04:05 MST"))
	}
	return fmt.Sprintf("smsbot is already running on %s (%s); stop it or use another SMSBOT_DB", e.held.DB, who)
}

// Unwrap returns the store's *HeldError.
func (e *alreadyRunningError) Unwrap() error { return e.held }
