package main

import (
	"context"
	"errors"
	"fmt"

	"smsbot/bot"
	"smsbot/bot/console"
	"smsbot/broadcast"
	"smsbot/store"
)

// runImport imports a CSV file into a list, through the same router code
// as /sms import, and prints the report. The engine is not started: an
// import sends nothing.
func (m *Main) runImport(ctx context.Context) error {
	if m.List == "" || len(m.Args) != 1 {
		return errors.New("usage: smsbot import -list NAME FILE.csv")
	}
	// The list must be one chat commands can address.
	if err := bot.ValidListName(m.List); err != nil {
		return fmt.Errorf("-list: %s", broadcast.ErrorMessage(err))
	}
	st, err := store.Open(ctx, store.Config{Path: m.Config.DB})
	if err != nil {
		return err
	}
	defer st.Close()
	r := bot.New(bot.Config{Directory: st, Region: m.Config.Region, MaxImportBytes: m.Config.MaxImportBytes})
	defer r.Close()
	_, msg, err := r.Import(ctx, "cli", m.List, m.Args[0], console.LocalFiles{})
	if err != nil {
		return errors.New(broadcast.ErrorMessage(err))
	}
	fmt.Fprint(m.Stdout, console.Render(msg))
	return nil
}
