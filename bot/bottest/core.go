package bottest

import (
	"cmp"
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/bot"
	"smsbot/broadcast"
	"smsbot/broadcast/sim"
	"smsbot/inbound"
	"smsbot/store"
)

// Core is a bot as adapters' tests need it: a router over a real SQLite
// store in a temporary folder, and a broadcast engine on the simulated
// carrier.
type Core struct {
	Router *bot.Router
	Store  *store.Store
	Engine *broadcast.Engine
	Sim    *sim.Provider
	// Clock is the router's: a *clockwork.FakeClock when the adapter's
	// test put the router on one.
	Clock clockwork.Clock
	// Simulator makes a contact text in (/sms sim reply), through
	// inbound.Service.Receive as a webhook's text: the adapter test's own
	// when it set Config.Simulator, else the Core's, which relays to the
	// staff channel given to SetStaff.
	Simulator bot.Simulator
	// ChatClock, when the adapter's test has one apart from the router's
	// (Discord's), is the clock the adapter and its fake wait on and time
	// rate limits with: texts from contacts move it on as they move Clock.
	ChatClock clockwork.Clock
	staff     *staffSlot
	// progressEvery is the router's least time between two tally edits.
	progressEvery time.Duration
}

// NewCore starts a Core with the setup's access rules and stops it when
// the test ends. extra, if not nil, adjusts the router's configuration.
func NewCore(t testing.TB, s Setup, extra func(*bot.Config)) *Core {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "smsbot.db")})
	if err != nil {
		t.Fatal(err)
	}
	carrier := sim.New(sim.Config{})
	eng, err := broadcast.New(broadcast.Config{Store: st, Provider: carrier})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	cfg := bot.Config{Engine: eng, Directory: st, Stats: st, Polls: st, Admins: s.Admins, Approvers: s.Approvers, PricePerSegment: 0.0083}
	if extra != nil {
		extra(&cfg)
	}
	c := &Core{Store: st, Engine: eng, Sim: carrier, Clock: cfg.Clock, staff: &staffSlot{},
		progressEvery: cmp.Or(cfg.ProgressEvery, 2*time.Second)}
	if c.Clock == nil {
		c.Clock = clockwork.NewRealClock()
	}
	if cfg.Simulator == nil {
		inbox := &inbound.SimInbox{
			Route: func(ctx context.Context, phone string) (string, error) {
				_, s, err := eng.StickySender(ctx, phone)
				return s.Address, err
			},
			Deliver: func(context.Context, string, string, string) error { return nil },
		}
		if inbox.Service, err = inbound.New(inbound.Config{Store: st, Staff: c.staff, Clock: c.Clock}); err != nil {
			t.Fatal(err)
		}
		cfg.Simulator = inbox
	}
	c.Simulator = cfg.Simulator
	c.Router = bot.New(cfg)
	if s.core != nil {
		*s.core = c
	}
	t.Cleanup(func() {
		c.Router.Close()
		eng.Close()
		st.Close()
	})
	return c
}

// SetStaff makes staff the staff channel of the Core's Simulator: the
// adapter's, once it is made.
func (c *Core) SetStaff(staff inbound.Staff) {
	c.staff.mu.Lock()
	defer c.staff.mu.Unlock()
	c.staff.s = staff
}

// staffSlot is the Core's staff channel, set once the adapter exists.
type staffSlot struct {
	mu sync.Mutex
	s  inbound.Staff
}

func (s *staffSlot) get() inbound.Staff {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.s
}

func (s *staffSlot) Platform() string {
	if st := s.get(); st != nil {
		return st.Platform()
	}
	return "bottest"
}

func (s *staffSlot) Relay(ctx context.Context, thread string, m bot.Message) (string, error) {
	st := s.get()
	if st == nil {
		return "", errors.New("bottest: no staff channel; the adapter's test calls Core.SetStaff")
	}
	return st.Relay(ctx, thread, m)
}
