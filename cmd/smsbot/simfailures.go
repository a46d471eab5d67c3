package main

import (
	"flag"
	"fmt"

	"smsbot/broadcast"
	"smsbot/broadcast/sim"
)

// simFlags registers the simulated carrier's failure setting,
// SMSBOT_SIM_FAILURES / -sim-failures, and returns the check that reads
// it into c.SimFailures once the flags are parsed. A refused entry names
// itself: SMSBOT_SIM_FAILURES / -sim-failures: "30003:two%" is not a
// share like 2%.
func (c *Config) simFlags(fs *flag.FlagSet, env func(name, def string) string) func() error {
	raw := fs.String("sim-failures", env("SMSBOT_SIM_FAILURES", "off"),
		"simulated carrier: share of texts failing with Twilio's codes, like 30003:2%,30007:1%,21610:0.5% "+
			"(21xxx refused at the send, 30xxx undelivered receipts), and stop:1% for recipients texting STOP back; "+
			"off for none; /sms sim failures changes it [SMSBOT_SIM_FAILURES]")
	return func() error {
		var err error
		if c.SimFailures, err = sim.ParseFailures(*raw); err != nil {
			return fmt.Errorf("SMSBOT_SIM_FAILURES / -sim-failures: %s", broadcast.ErrorMessage(err))
		}
		return nil
	}
}
