package twilio_test

import (
	"fmt"
	"hash/fnv"
	"sync/atomic"
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/broadcast/twilio/twiliotest"
)

// TestGatewayErrorsAfterCreateSendEachTextOnce is the case of issue 11: a
// gateway answers 502 or 504, often with an HTML page, after Twilio has
// stored the text. One create in ten is answered so. The engine must find
// those texts through the Messages list, which is eventually consistent
// and does not date texts still in Twilio's queue, instead of sending
// them again.
func TestGatewayErrorsAfterCreateSendEachTextOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("sends for a few seconds at real rates")
	}
	var faulted atomic.Int64
	fault := func(req twiliotest.CreateRequest) twiliotest.Fault {
		h := fnv.New32a()
		fmt.Fprintf(h, "%s#%d", req.To, req.Attempt)
		switch h.Sum32() % 20 {
		case 0:
			faulted.Add(1)
			return twiliotest.Fault502AfterCreate
		case 1:
			faulted.Add(1)
			return twiliotest.Fault504AfterCreate
		}
		return twiliotest.FaultNone
	}
	rates := map[string]float64{"+12065550101": 50, "+12065550102": 50, "MG0123456789abcdef0123456789abcdef": 100}
	e := setupE2E(t,
		twiliotest.Config{Fault: fault, ListDelay: 100 * time.Millisecond, SendDelay: 500 * time.Millisecond},
		broadcast.Config{BackoffBase: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond,
			// Longer than the list's lag: a lookup sooner would not see the text yet.
			ReconcileDelay: 300 * time.Millisecond},
		rates)
	const n = 300
	final := e.run(t, n, "Doors open at 7pm", 2*time.Minute)
	if final.Counts.Sent != n || final.Counts.Failed != 0 {
		t.Errorf("final counts = %+v, want %d sent", final.Counts, n)
	}
	e.onePerRecipient(t, n)
	if f := faulted.Load(); f < n/20 {
		t.Errorf("only %d creates answered 502/504 after create; the faults did not fire", f)
	}
	if got, want := e.fake.Requests(), n; got != want {
		t.Errorf("%d create requests for %d texts: a text was sent again after a gateway error", got, want)
	}
}
