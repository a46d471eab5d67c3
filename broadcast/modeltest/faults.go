package modeltest

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"smsbot/broadcast/twilio/twiliotest"
)

// faults is a sequence's fault profile. Every decision is a hash of the
// seed and of the request (sender, recipient, body, attempt), so a seed
// fails the same requests however the goroutines interleave.
type faults struct {
	seed uint64
	// At the fake, for create requests: 429 with Retry-After (seconds or
	// an HTTP date) and 500, before the message is stored; a gateway's
	// HTML 502 before it reaches Twilio; the connection dropped, a 500,
	// 502 or 504 (HTML), or a 200 with a proxy's HTML page, after Twilio
	// stored it.
	p429, p500, pDrop, pGateway, pGatewayAfter, pHTMLAfter float64
	// On the wire: an answer slower than the client's timeout (the fake
	// stored the message), and a gateway's 502 for lookups (with the same
	// probability as for creates).
	pTimeout float64
	// latency is the mean of each leg of a call (request, answer) on the
	// virtual clock; 0 for none.
	latency time.Duration
	// listDelay is how long a new message stays out of Twilio's list: the
	// list is eventually consistent.
	listDelay time.Duration
}

var faultNames = []string{"429", "500", "drop", "gateway", "gateway-after-create", "html-after-create",
	"timeout", "latency", "list delay"}

// newFaults draws a profile: a quarter of the sequences calm, half flaky,
// a quarter stormy.
func newFaults(seed uint64, r *rand.Rand) faults {
	f := faults{seed: seed}
	hi := []float64{0, 0.1, 0.1, 0.25}[r.IntN(4)]
	p := func() float64 { return hi * r.Float64() }
	f.p429, f.p500, f.pDrop, f.pGateway, f.pGatewayAfter, f.pHTMLAfter, f.pTimeout = p(), p(), p(), p(), p(), p(), p()
	f.latency = []time.Duration{0, 50 * time.Millisecond, 400 * time.Millisecond}[r.IntN(3)]
	f.listDelay = []time.Duration{0, time.Second, 3 * time.Second}[r.IntN(3)]
	return f
}

// without turns off the named faults.
func (f faults) without(off map[string]bool) faults {
	for name, p := range map[string]*float64{"429": &f.p429, "500": &f.p500, "drop": &f.pDrop, "gateway": &f.pGateway,
		"gateway-after-create": &f.pGatewayAfter, "html-after-create": &f.pHTMLAfter, "timeout": &f.pTimeout} {
		if off[name] {
			*p = 0
		}
	}
	if off["latency"] {
		f.latency = 0
	}
	if off["list delay"] {
		f.listDelay = 0
	}
	return f
}

func (f faults) String() string {
	return fmt.Sprintf("429=%.2f 500=%.2f drop=%.2f gateway=%.2f gateway-after-create=%.2f html-after-create=%.2f timeout=%.2f latency=%v list-delay=%v",
		f.p429, f.p500, f.pDrop, f.pGateway, f.pGatewayAfter, f.pHTMLAfter, f.pTimeout, f.latency, f.listDelay)
}

// roll returns a number in [0,1) fixed by the seed and the parts.
func (f faults) roll(parts ...any) float64 {
	h := fnv.New64a()
	fmt.Fprint(h, f.seed)
	for _, p := range parts {
		fmt.Fprintf(h, "\x00%v", p)
	}
	// FNV barely changes its high bits for a change in the last byte
	// (the attempt number): mix them all (splitmix64's finalizer).
	x := h.Sum64()
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	x ^= x >> 31
	return float64(x>>11) / (1 << 53)
}

// atFake is twiliotest's Config.Fault.
func (f faults) atFake(req twiliotest.CreateRequest) twiliotest.Fault {
	x := f.roll("fake", req.From, req.MessagingServiceSID, req.To, req.Body, req.Attempt)
	pick := func(fs ...twiliotest.Fault) twiliotest.Fault { return fs[req.Attempt%len(fs)] }
	for _, c := range []struct {
		p      float64
		faults []twiliotest.Fault
	}{
		{f.p429, []twiliotest.Fault{twiliotest.Fault429, twiliotest.Fault429Date}},
		{f.p500, []twiliotest.Fault{twiliotest.Fault500}},
		{f.pGateway, []twiliotest.Fault{twiliotest.Fault502HTML}},
		{f.pDrop, []twiliotest.Fault{twiliotest.FaultDrop}},
		{f.pGatewayAfter, []twiliotest.Fault{twiliotest.Fault502AfterCreate, twiliotest.Fault504AfterCreate, twiliotest.Fault500AfterCreate}},
		{f.pHTMLAfter, []twiliotest.Fault{twiliotest.Fault200HTMLAfterCreate}},
	} {
		if x < c.p {
			return pick(c.faults...)
		}
		x -= c.p
	}
	return twiliotest.FaultNone
}

// wireFault is what the wire does with one request.
type wireFault int

const (
	wireNone    wireFault = iota
	wireGateway           // a lookup answered 502 by a gateway
	wireTimeout           // a create answered after the client gave up
)

// onWire decides the wire's fault for one request; key names it (method,
// sender, recipient, body) and n counts its attempts.
func (f faults) onWire(key string, n int, create bool) wireFault {
	x := f.roll("wire", key, n)
	switch {
	case create && x < f.pTimeout:
		return wireTimeout
	case !create && x < f.pGateway:
		return wireGateway
	}
	return wireNone
}

// leg returns the latency of one leg of a request.
func (f faults) leg(key string, n int, which string) time.Duration {
	if f.latency == 0 {
		return 0
	}
	return time.Duration(2 * f.roll("latency", key, n, which) * float64(f.latency))
}
