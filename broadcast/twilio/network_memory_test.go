package twilio_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"smsbot/broadcast/latency"
	"smsbot/broadcast/twilio/twiliotest"
)

// fakeProcessEnv, set to a latency (latency.Parse), makes
// TestNetworkFakeProcess serve a Twilio fake for BenchmarkNetworkMemory.
const fakeProcessEnv = "SMSBOT_BENCH_TWILIO_FAKE"

// BenchmarkNetworkMemory is part 9 of issue 12: a 100,000-text broadcast
// keeps the process's RSS within 150 MB. 10 senders at 200/s with 50 ms
// calls (uniform 33..67 ms): both the rates and the account's 100 calls
// bind (2,000/s), so the engine holds about 100 calls in flight for the
// whole broadcast, the most it ever holds, in about a minute rather than
// the 2.5 minutes of 150 ms calls.
//
// The fake runs in a child process (this test binary again, running only
// TestNetworkFakeProcess), as Twilio runs elsewhere: it keeps every text
// it is sent, which is not smsbot's memory. This process holds what
// smsbot would: the engine, SQLite, the Provider with twilio-go and its
// 100 keep-alive connections. peak-RSS-MB is its VmHWM during the
// broadcast (reset to the RSS after setup by writing 5 to
// /proc/self/clear_refs); base-RSS-MB is the RSS then; peak-heap-MB the
// Go heap in use, sampled every 2 ms.
func BenchmarkNetworkMemory(b *testing.B) {
	const texts = 100_000
	const mb = 1 << 20
	var peakRSS, baseRSS, peakHeap uint64
	for range b.N {
		child := startFakeProcess(b, around(50*time.Millisecond))
		env := newNetEnv(b, netOpts{rates: equal(10, 200), contacts: texts, apiURL: child.url})
		runtime.GC()
		baseRSS = max(baseRSS, procStatus(b, "VmRSS:"))
		if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
			b.Logf("cannot reset VmHWM (%v): peak-RSS-MB is the process's since it started", err)
		}
		heap := startHeapPeak(2 * time.Millisecond)
		r := env.broadcast(b, 5*time.Minute)
		peakHeap = max(peakHeap, heap.stop())
		peakRSS = max(peakRSS, procStatus(b, "VmHWM:"))
		env.report(b, child.stop(b), r, 2_000,
			figure{float64(peakRSS) / mb, "peak-RSS-MB"},
			figure{float64(baseRSS) / mb, "base-RSS-MB"},
			figure{float64(peakHeap) / mb, "peak-heap-MB"})
		env.close()
	}
}

// TestNetworkFakeProcess is not a test: it is the child process of
// BenchmarkNetworkMemory, and skips unless fakeProcessEnv is set. It
// serves a fake with that latency and netCap, writes "fake-url URL" to
// stdout, and once stdin is closed writes "fake-stats " and its
// fakeStats as JSON.
func TestNetworkFakeProcess(t *testing.T) {
	spec, ok := os.LookupEnv(fakeProcessEnv)
	if !ok {
		t.Skip("the Twilio fake of BenchmarkNetworkMemory, run in its own process")
	}
	d, err := latency.Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	fake := twiliotest.NewServer(twiliotest.Config{Latency: d, Seed: 12, Concurrency: netCap})
	defer fake.Close()
	fmt.Printf("fake-url %s\n", fake.URL())
	io.Copy(io.Discard, os.Stdin)
	out, err := json.Marshal(statsOf(fake))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("fake-stats %s\n", out)
}

// fakeProcess is a running TestNetworkFakeProcess.
type fakeProcess struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string // its stdout, by line
	url   string
}

// startFakeProcess starts the test binary again as a fake with latency d,
// and waits (up to 30 s) for its URL.
func startFakeProcess(b *testing.B, d latency.Dist) *fakeProcess {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestNetworkFakeProcess$", "-test.count=1", "-test.timeout=30m")
	cmd.Env = append(os.Environ(), fakeProcessEnv+"="+d.String())
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	p := &fakeProcess{cmd: cmd, stdin: stdin, lines: make(chan string, 16)}
	b.Cleanup(func() { stdin.Close(); cmd.Wait() })
	go func() {
		defer close(p.lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
	}()
	url, ok := p.line(b, "fake-url ")
	if !ok {
		b.Fatal("the fake process ended without its URL")
	}
	p.url = url
	return p
}

// line returns the rest of the next line of the child's output with
// prefix, skipping others; false if the output ended first.
func (p *fakeProcess) line(b *testing.B, prefix string) (string, bool) {
	b.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				return "", false
			}
			if rest, found := strings.CutPrefix(l, prefix); found {
				return rest, true
			}
		case <-timeout:
			b.Fatalf("no %q line from the fake process in 30 s", prefix)
		}
	}
}

// stop closes the child's stdin and returns what it saw.
func (p *fakeProcess) stop(b *testing.B) fakeStats {
	b.Helper()
	p.stdin.Close()
	raw, ok := p.line(b, "fake-stats ")
	if !ok {
		b.Fatal("the fake process ended without its stats")
	}
	var s fakeStats
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		b.Fatal(err)
	}
	return s
}

// procStatus returns a "kB" field of /proc/self/status, in bytes.
func procStatus(b *testing.B, field string) uint64 {
	b.Helper()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skipf("no /proc/self/status: %v", err)
	}
	for line := range bytes.Lines(status) {
		if rest, ok := bytes.CutPrefix(line, []byte(field)); ok {
			kb, err := strconv.ParseUint(string(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte(" kB"))), 10, 64)
			if err != nil {
				b.Fatalf("%s %q: %v", field, line, err)
			}
			return kb << 10
		}
	}
	b.Skipf("no %s in /proc/self/status", field)
	return 0
}

// heapPeak samples the Go heap in use (HeapInuse, read through
// runtime/metrics without stopping the world) until stop.
type heapPeak struct {
	done chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

func startHeapPeak(every time.Duration) *heapPeak {
	h := &heapPeak{done: make(chan struct{})}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
		for {
			metrics.Read(samples)
			h.peak = max(h.peak, samples[0].Value.Uint64()+samples[1].Value.Uint64())
			select {
			case <-t.C:
			case <-h.done:
				return
			}
		}
	}()
	return h
}

// stop ends the sampling and returns the peak.
func (h *heapPeak) stop() uint64 {
	close(h.done)
	h.wg.Wait()
	return h.peak
}
