package modeltest_test

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"smsbot/broadcast/modeltest"
	"smsbot/store/storetest"
)

var (
	flagN       = flag.Int("modeltest.n", defaultN(), "number of random sequences TestModel plays")
	flagFrom    = flag.Uint64("modeltest.from", 1, "first seed of the random sequences; 0 draws one")
	flagSeed    = flag.Uint64("modeltest.seed", 0, "play only this seed")
	flagLog     = flag.Bool("modeltest.log", false, "print every sequence's operation log")
	flagRecord  = flag.Bool("modeltest.record", true, "append seeds that fail to testdata/seeds.txt (by default only with the default -modeltest.without)")
	flagWithout = flag.String("modeltest.without", defaultWithout,
		"comma-separated operations, faults and checks to turn off (default: modeltest.KnownBroken; empty: none)")
)

var defaultWithout = strings.Join(modeltest.KnownBroken, ",")

// seedsFile keeps the seeds that broke an invariant; TestModel replays
// them before the random ones.
const seedsFile = "testdata/seeds.txt"

func defaultN() int {
	if raceEnabled {
		return 10 // the race detector makes each sequence about 8 times slower
	}
	return 200
}

// sequences is how many random sequences to play: n, unless -short asks
// for fewer (short) and the flag named was not set. The seeds files are
// replayed in full either way. CI plays the full number once (without
// -short, under -race) and the short one three times.
func sequences(n int, name string, short int) int {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	if testing.Short() && !set {
		return min(n, short)
	}
	return n
}

func TestModel(t *testing.T) {
	opts := options(t)
	playAll(t, opts, sequences(*flagN, "modeltest.n", 50), seedsFile, "TestModel$")
}

// playAll replays the seeds in file, then plays n random sequences,
// appending those that fail to file; rerun is the -run pattern that
// replays one.
func playAll(t *testing.T, opts modeltest.Options, n int, file, rerun string) {
	if *flagSeed != 0 {
		play(t, *flagSeed, opts, rerun)
		return
	}
	known := readSeeds(t, file)
	t.Run("known", func(t *testing.T) {
		for _, s := range known {
			play(t, s, opts, rerun)
		}
	})
	from := *flagFrom
	if from == 0 {
		from = rand.Uint64N(1 << 40)
	}
	t.Logf("playing %d sequences from seed %d", n, from)
	// Seeds that fail with some causes put back are expected: record them
	// only when asked to.
	record := *flagRecord && (*flagWithout == defaultWithout || isSet("modeltest.record"))
	var failed []string
	t.Run("random", func(t *testing.T) {
		for seed := from; seed < from+uint64(n); seed++ {
			if r := play(t, seed, opts, rerun); r.Failed() {
				failed = append(failed, fmt.Sprintf("%d %v", seed, r.Invariants()))
				if record && !slices.Contains(known, seed) {
					recordSeed(t, file, r)
				}
			}
		}
	})
	if len(failed) > 0 {
		t.Logf("failing seeds:\n%s", strings.Join(failed, "\n"))
	}
}

// play runs one sequence as a subtest and reports its violations. With
// several engines the database is a PostgreSQL schema of the subtest's.
func play(t *testing.T, seed uint64, opts modeltest.Options, rerun string) modeltest.Result {
	var res modeltest.Result
	t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
		logs := &tail{max: 80}
		opts := opts
		opts.Dir, opts.EngineLog = t.TempDir(), logs
		if opts.Engines > 1 {
			opts.Postgres = storetest.Postgres(t)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		res = modeltest.Run(ctx, seed, opts)
		if *flagLog {
			t.Logf("%s\n%s", res.Plan, res.Log)
		}
		if !res.Failed() {
			return
		}
		var b strings.Builder
		fmt.Fprintf(&b, "seed %d broke %v (%d texts, %d requests, %v virtual)\n", seed, res.Invariants(), res.Texts, res.Requests, res.Virtual.Round(time.Millisecond))
		for _, v := range res.Violations {
			fmt.Fprintf(&b, "  %s\n", v)
		}
		fmt.Fprintf(&b, "operations:\n%s", res.Log)
		fmt.Fprintf(&b, "last engine log lines:\n%s", logs)
		without := ""
		if *flagWithout != defaultWithout {
			without = fmt.Sprintf(" -modeltest.without=%q", *flagWithout)
		}
		env := ""
		if opts.Postgres != "" {
			env = storetest.PostgresEnv + "=… "
		}
		fmt.Fprintf(&b, "rerun: %sgo test ./broadcast/modeltest/ -run '%s' -v -modeltest.seed=%d%s\n", env, rerun, seed, without)
		t.Error(b.String())
	})
	return res
}

func options(t *testing.T) modeltest.Options {
	o := modeltest.Options{Without: map[string]bool{}}
	known := map[string]bool{}
	for _, n := range modeltest.Names() {
		known[n] = true
	}
	for _, n := range strings.Split(*flagWithout, ",") {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		if !known[n] {
			t.Fatalf("-modeltest.without: %q is none of %q", n, modeltest.Names())
		}
		o.Without[n] = true
	}
	return o
}

// readSeeds reads the known failing seeds: one per line, first field.
func readSeeds(t *testing.T, file string) []uint64 {
	f, err := os.Open(file)
	if os.IsNotExist(err) {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []uint64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s, err := strconv.ParseUint(strings.Fields(line)[0], 10, 64)
		if err != nil {
			t.Fatalf("%s: %q: %v", file, line, err)
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func recordSeed(t *testing.T, file string, r modeltest.Result) {
	f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Logf("recording seed %d: %v", r.Seed, err)
		return
	}
	defer f.Close()
	var inv []string
	for _, i := range r.Invariants() {
		inv = append(inv, strings.SplitN(string(i), " ", 2)[0])
	}
	without := ""
	if *flagWithout != defaultWithout {
		without = fmt.Sprintf(", -modeltest.without=%q", *flagWithout)
	}
	fmt.Fprintf(f, "%d\t# broke %s (%s%s)\n", r.Seed, strings.Join(inv, ","), time.Now().Format(time.DateOnly), without)
}

func isSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// tail keeps the last max lines written to it.
type tail struct {
	mu    sync.Mutex
	max   int
	lines []string
	part  bytes.Buffer
}

func (l *tail) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.part.Write(p)
	for {
		i := bytes.IndexByte(l.part.Bytes(), '\n')
		if i < 0 {
			break
		}
		l.lines = append(l.lines, string(l.part.Next(i+1)))
		if len(l.lines) > l.max {
			l.lines = l.lines[1:]
		}
	}
	return len(p), nil
}

func (l *tail) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "")
}
