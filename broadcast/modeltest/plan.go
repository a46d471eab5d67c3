package modeltest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// opKind is an operator action, a recipient's text, or an accident.
type opKind int

const (
	opNumberAdd    opKind = iota // /sms numbers add, a new or a removed number
	opNumberRate                 // /sms numbers add on an enabled number: a new rate
	opNumberRemove               // /sms numbers remove
	opImport                     // /sms import <list>, a CSV of contacts
	opSend                       // /sms send, then Approve
	opPrepare                    // /sms send, left waiting for approval
	opApprove                    // Approve of a waiting broadcast
	opPause
	opResume
	opCancel
	opStop     // a recipient texts STOP
	opStart    // a recipient texts START
	opRestart  // Close, then a new engine on the same database
	opKill     // the process dies: a new engine on the same database
	opDiskFull // the engine's writes fail for a while
	numOpKinds
)

var opNames = [...]string{"numbers add", "numbers rate", "numbers remove", "import", "send", "prepare",
	"approve", "pause", "resume", "cancel", "STOP", "START", "restart", "kill", "disk full"}

func (k opKind) String() string { return opNames[k] }

// weights are how often each kind is drawn after the setup.
var weights = [numOpKinds]int{5, 4, 5, 6, 12, 2, 3, 6, 7, 3, 6, 3, 4, 5, 2}

// op is one step of a sequence. Which broadcast, number or contact it
// acts on is chosen when it runs, from pick and the model's state then.
type op struct {
	kind  opKind
	after time.Duration // virtual time since the previous op
	pick  uint64
	list  int
	n     int     // contacts to import
	rate  float64 // segments/s
	body  int     // body variant
	dur   time.Duration
}

// plan is everything a seed decides.
type plan struct {
	seed        uint64
	start       time.Time
	addresses   []string
	phones      []string
	invalid     map[string]int // Twilio error code of numbers the fake refuses
	lists       []string
	maxAttempts int
	inFlight    int
	batch       int
	faults      faults
	ops         []op
}

var rates = []float64{1, 1, 2, 3, 5, 10}

func newPlan(seed uint64) plan {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	p := plan{seed: seed, invalid: map[string]int{}, lists: []string{"crew", "guests", "vip"}}
	day := time.Date(2026, 3, 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
	p.start = day.Add(time.Duration(r.Int64N(int64(24 * time.Hour))))
	if r.IntN(8) == 0 {
		p.start = day.Add(24*time.Hour - time.Duration(r.IntN(120))*time.Second) // sends across midnight UTC
	}
	for i := range 5 {
		p.addresses = append(p.addresses, fmt.Sprintf("+1206555%04d", 100+i))
	}
	p.addresses = append(p.addresses, fmt.Sprintf("MG%032x", r.Uint64()))
	for _, i := range r.Perm(9000)[:40] {
		p.phones = append(p.phones, fmt.Sprintf("+1425555%04d", 1000+i))
	}
	for _, ph := range p.phones {
		if r.IntN(25) == 0 {
			p.invalid[ph] = []int{21211, 21614, 21610}[r.IntN(3)]
		}
	}
	p.maxAttempts = []int{3, 5, 10}[r.IntN(3)]
	p.inFlight = 1 + r.IntN(4)
	p.batch = []int{3, 16, 500}[r.IntN(3)]
	p.faults = newFaults(seed, r)

	add := func(o op) {
		o.pick = r.Uint64()
		o.list = r.IntN(len(p.lists))
		o.n = 3 + r.IntN(18)
		o.rate = rates[r.IntN(len(rates))]
		o.body = r.IntN(len(bodies))
		o.dur = time.Duration(1+r.IntN(20)) * time.Second
		p.ops = append(p.ops, o)
	}
	for range 1 + r.IntN(3) {
		add(op{kind: opNumberAdd})
	}
	for range 1 + r.IntN(2) {
		add(op{kind: opImport})
	}
	add(op{kind: opSend})
	total := 0
	for _, w := range weights {
		total += w
	}
	for range 6 + r.IntN(19) {
		x, k := r.IntN(total), opKind(0)
		for x >= weights[k] {
			x -= weights[k]
			k++
		}
		add(op{kind: k, after: gap(r)})
	}
	return p
}

// gap draws the virtual time between two ops: often none, mostly under
// a few seconds, sometimes long enough for broadcasts to finish.
func gap(r *rand.Rand) time.Duration {
	switch x := r.IntN(20); {
	case x < 7:
		return 0
	case x < 14:
		return time.Duration(r.IntN(1500)) * time.Millisecond
	case x < 18:
		return time.Duration(1500+r.IntN(6500)) * time.Millisecond
	default:
		return time.Duration(8+r.IntN(22)) * time.Second
	}
}

// bodies are the message variants: plain, merge fields, several GSM-7
// segments, UCS-2, several UCS-2 segments.
var bodies = []string{
	"Dinner is served in Hall B",
	"Hi {{first_name|there}}, doors open at 6 in Hall B",
	"Schedule change: " + strings.Repeat("the keynote moves to the main stage, ", 6),
	"Café ☕ opens at 9",
	"Änderung: " + strings.Repeat("die Keynote ist jetzt im Saal 2 ☕ ", 3),
}

// body returns broadcast k's text with variant v; the prefix tells its
// texts apart at the provider.
func body(k, v int) string { return fmt.Sprintf("B%d: %s", k, bodies[v]) }

func marker(k int) string { return fmt.Sprintf("B%d: ", k) }

var names = []string{"Ada", "Grace", "Linus", "Barbara", "Ken", "Frances", "", "Margaret"}

// accountLimit is the fake's limit on concurrent requests: in a third of
// the seeds, 2, so that Twilio answers 20429 and the engine's cap shrinks;
// otherwise none.
func (p plan) accountLimit() int {
	if p.seed%3 == 0 {
		return 2
	}
	return 0
}
