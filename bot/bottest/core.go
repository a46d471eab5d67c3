package bottest

import (
	"context"
	"path/filepath"
	"testing"

	"smsbot/bot"
	"smsbot/broadcast"
	"smsbot/broadcast/sim"
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
	cfg := bot.Config{Engine: eng, Directory: st, Stats: st, Admins: s.Admins, Approvers: s.Approvers, PricePerSegment: 0.0083}
	if extra != nil {
		extra(&cfg)
	}
	c := &Core{Router: bot.New(cfg), Store: st, Engine: eng, Sim: carrier}
	t.Cleanup(func() {
		c.Router.Close()
		eng.Close()
		st.Close()
	})
	return c
}
