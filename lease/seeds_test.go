package lease_test

import (
	"bufio"
	crand "crypto/rand"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

var (
	seedFlag  = flag.Uint64("lease.seed", 0, "seed of the lease property test (default: $SMSBOT_LEASE_SEED, else random)")
	stepsFlag = flag.Int("lease.steps", 150, "steps of each lease property test run")
)

const seedsFile = "testdata/property-seeds"

// forSeeds runs the property test once for each seed in
// testdata/property-seeds, then for -lease.seed (or SMSBOT_LEASE_SEED),
// or else for a new random seed. A failing seed is printed: add it to
// testdata/property-seeds.
func forSeeds(t *testing.T, run func(*testing.T, uint64)) {
	seeds := readSeeds(t)
	switch env := os.Getenv("SMSBOT_LEASE_SEED"); {
	case *seedFlag != 0:
		seeds = append(seeds, *seedFlag)
	case env != "":
		s, err := strconv.ParseUint(env, 10, 64)
		if err != nil {
			t.Fatalf("SMSBOT_LEASE_SEED: %v", err)
		}
		seeds = append(seeds, s)
	default:
		var b [8]byte
		crand.Read(b[:])
		seeds = append(seeds, binary.LittleEndian.Uint64(b[:])>>1)
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			defer func() {
				if t.Failed() {
					t.Errorf("failing seed %d: replay it with go test ./lease/ -run '%s$' -lease.seed=%d, and keep it in lease/%s",
						seed, t.Name(), seed, seedsFile)
				}
			}()
			run(t, seed)
		})
	}
}

func readSeeds(t *testing.T) []uint64 {
	f, err := os.Open(seedsFile)
	if err != nil {
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
			t.Fatalf("%s: %v", seedsFile, err)
		}
		out = append(out, s)
	}
	return out
}
