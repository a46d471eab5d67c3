package modeltest

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Invariant names a property that every sequence must keep.
type Invariant string

// The invariants, numbered as in docs/ARCHITECTURE.md.
const (
	// InvRun: every operation returns and the engine starts; a hang or a
	// busy loop is reported here.
	InvRun Invariant = "0 operations return"
	// InvOnce: each recipient of each broadcast has exactly one text at
	// the provider (its row sent, with that text's SID), or none and its
	// row skipped or failed with a reason.
	InvOnce Invariant = "1 exactly once"
	// InvRate: no sender goes over its rate in any 1 s window.
	InvRate Invariant = "2 rate"
	// InvEnd: every broadcast ends: completed, cancelled, or paused with
	// the reason in its progress.
	InvEnd Invariant = "3 end state"
	// InvCounts: counts add up, and the engine's progress agrees with the
	// store: one final report per broadcast, true, and nothing sent after it.
	InvCounts Invariant = "4 counts"
	// InvOptOut: nobody opted out when a broadcast was approved gets it.
	InvOptOut Invariant = "5 opt-out"
	// InvRemoved: nothing is sent from a number after its removal returned.
	InvRemoved Invariant = "6 removed number"
	// InvLease: at no virtual instant do two engines (running or frozen)
	// both trust a lease on the same sender.
	InvLease Invariant = "7 one sender lease"
)

// Violation is one broken invariant.
type Violation struct {
	Invariant Invariant
	Detail    string
}

func (v Violation) String() string { return fmt.Sprintf("[%s] %s", v.Invariant, v.Detail) }

// Result is what one sequence did.
type Result struct {
	Seed       uint64
	Violations []Violation
	// Log is the operations with their virtual times and results.
	Log string
	// Texts is how many texts the provider stored; Requests how many
	// create requests smsbot made.
	Texts, Requests int
	// Virtual is how much virtual time the sequence covered.
	Virtual time.Duration
	Plan    string
}

// Failed reports whether any invariant broke.
func (r Result) Failed() bool { return len(r.Violations) > 0 }

// Invariants lists the broken invariants, each once, in order.
func (r Result) Invariants() []Invariant {
	seen := map[Invariant]bool{}
	var out []Invariant
	for _, v := range r.Violations {
		if !seen[v.Invariant] {
			seen[v.Invariant] = true
			out = append(out, v.Invariant)
		}
	}
	return out
}

// opLog is the sequence's log of operations.
type opLog struct {
	clock *simClock
	mu    sync.Mutex
	b     strings.Builder
	start time.Time
}

func (l *opLog) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if l.start.IsZero() {
		l.start = now
	}
	fmt.Fprintf(&l.b, "%9.3fs  %s\n", now.Sub(l.start).Seconds(), fmt.Sprintf(format, args...))
}

func (l *opLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Options tune Run.
type Options struct {
	// Dir holds the sequence's database; a fresh empty directory.
	Dir string
	// Postgres, when set, is the DSN of an empty PostgreSQL schema that
	// holds the sequence's database instead of a SQLite file in Dir.
	Postgres string
	// Engines is how many engines run at once on the database (default
	// 1). More than one needs Postgres: on SQLite a second process
	// refuses to start.
	Engines int
	// EngineLog receives the engines' logs; nil discards them.
	EngineLog io.Writer
	// Without turns operations, faults and checks off, by name (see
	// Names): an operation ("numbers remove", "kill", "disk full"…)
	// becomes a no-op; a fault ("429", "500", "drop", "gateway",
	// "gateway-after-create", "html-after-create", "timeout", "latency",
	// "list delay") never happens;
	// "in-flight limit" gives the engine 64 calls in flight per sender;
	// "rate across restarts" leaves 1 s windows with texts of two engines
	// unchecked; "claim spin" makes a claim loop that reads the same
	// queued rows again take virtual time (see KnownBroken); "replica
	// counts" leaves the engines' own counts unchecked during a sequence
	// with several engines (snapshots, final reports, lag after each
	// operation; the store's counts and the engines' progress at the end
	// are still checked). The sequences stay the same otherwise, so a seed can be
	// replayed without one cause to see what else breaks.
	Without map[string]bool

	// For this package's own tests.
	sabotage    string
	hangTimeout time.Duration
}

// Names lists what Options.Without accepts.
func Names() []string {
	out := append([]string(nil), opNames[:]...)
	out = append(out, faultNames...)
	return append(out, "in-flight limit", "rate across restarts", "claim spin", "replica counts")
}
