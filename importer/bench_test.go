package importer_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"smsbot/importer"
)

// BenchmarkImport imports a 100,000-row registration export into a fresh
// store per op, with the per-row report written to a file as the chat
// command does. The file is generated once, untimed; so is opening the
// store. Metrics: rows/s; peak-heap-MB, the largest heap in use sampled
// every 2 ms (runtime/metrics) during the import; peak-RSS-MB, the
// process's VmHWM after the import, reset before it where the kernel
// allows (/proc/self/clear_refs), so run it alone:
//
//	go test -run '^$' -bench BenchmarkImport -benchtime=1x -count=3 ./importer/
//
// Figures are in docs/BENCHMARKS.md.
func BenchmarkImport(b *testing.B) {
	const rows = 100_000
	dir := b.TempDir()
	path := filepath.Join(dir, "registrations.csv")
	want := writeBenchCSV(b, path, rows)
	ctx := context.Background()
	var took time.Duration
	var peakHeap, peakRSS, baseRSS uint64
	resetOK := true
	b.StopTimer()
	for i := range b.N {
		st := openStore(b, b.TempDir())
		in, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		out, err := os.Create(filepath.Join(dir, fmt.Sprintf("report-%d.csv", i)))
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		resetOK = resetOK && resetPeakRSS()
		baseRSS = max(baseRSS, vmHWM(b))
		s := startHeapSampler(2 * time.Millisecond)
		start := time.Now()
		b.StartTimer()
		rep, err := importer.Import(ctx, st, "everyone", "bench", in, importer.Config{Report: out})
		b.StopTimer()
		took += time.Since(start)
		peakHeap = max(peakHeap, s.stop())
		peakRSS = max(peakRSS, vmHWM(b))
		if err != nil {
			b.Fatal(err)
		}
		if rep.Rows != want.Rows || rep.Imported != want.Imported || rep.New != want.Imported || rep.Duplicate != want.Duplicate || rep.Invalid != want.Invalid || rep.NoConsent != want.NoConsent {
			b.Fatalf("report = %+v, want %+v", rep, want)
		}
		for _, c := range []interface{ Close() error }{in, out, st} {
			if err := c.Close(); err != nil {
				b.Fatal(err)
			}
		}
	}
	const mb = 1 << 20
	b.ReportMetric(float64(b.N*rows)/took.Seconds(), "rows/s")
	b.ReportMetric(took.Seconds()/float64(b.N), "s/import")
	b.ReportMetric(float64(peakHeap)/mb, "peak-heap-MB")
	b.ReportMetric(float64(peakRSS)/mb, "peak-RSS-MB")
	b.ReportMetric(float64(baseRSS)/mb, "base-RSS-MB")
	if !resetOK {
		b.Log("could not reset VmHWM: peak-RSS-MB is the process's since it started")
	}
}

// writeBenchCSV writes a registration export of n rows: names, a phone in
// one of the formats people type, email, consent, ticket and shirt size.
// One row in 100 repeats the number of the row before, written another
// way; one in 100 has no usable number; one in 200 declined texts.
func writeBenchCSV(b *testing.B, path string, n int) importer.Report {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("First Name,Last Name,Email,Mobile Phone,SMS OK,Ticket Type,T-Shirt Size,Company\n")
	areas := []string{"206", "425", "253", "360", "503", "415", "212", "312", "617", "512"}
	tickets := []string{"General Admission", "VIP", "Student", "Speaker", "Volunteer"}
	sizes := []string{"XS", "S", "M", "L", "XL", "XXL"}
	var want importer.Report
	phone := func(i, format int) string {
		area, rest := areas[i%len(areas)], i/len(areas)
		exch, line := strconv.Itoa(230+rest%50), fmt.Sprintf("%04d", 1000+rest/50)
		switch format % 7 {
		case 0:
			return "(" + area + ") " + exch + "-" + line
		case 1:
			return area + "-" + exch + "-" + line
		case 2:
			return area + "." + exch + "." + line
		case 3:
			return "+1 " + area + " " + exch + " " + line
		case 4:
			return "1" + area + exch + line
		case 5:
			return "1-" + area + "-" + exch + "-" + line
		}
		return "\"+1 (" + area + ") " + exch + "-" + line + " x" + strconv.Itoa(format%90+10) + "\""
	}
	for i := range n {
		want.Rows++
		num, consent := phone(i, i), "yes"
		switch {
		case i%100 == 99:
			num = phone(i-1, i+3)
			want.Duplicate++
		case i%100 == 49:
			num = "n/a"
			want.Invalid++
		case i%200 == 17:
			consent = ""
			want.NoConsent++
		default:
			want.Imported++
		}
		company := ""
		if i%3 == 0 {
			company = "\"Acme, Inc.\""
		}
		fmt.Fprintf(w, "First%d,Last%d,first%d.last@example.com,%s,%s,%s,%s,%s\n",
			i, i, i, num, consent, tickets[i%len(tickets)], sizes[i%len(sizes)], company)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return want
}

// resetPeakRSS resets the process's VmHWM to its current RSS.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// vmHWM returns the process's peak resident set size, in bytes.
func vmHWM(b *testing.B) uint64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skipf("no /proc/self/status: %v", err)
	}
	for line := range bytes.Lines(status) {
		if rest, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			kb, err := strconv.ParseUint(string(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte(" kB"))), 10, 64)
			if err != nil {
				b.Fatalf("VmHWM: %q: %v", line, err)
			}
			return kb << 10
		}
	}
	b.Skip("no VmHWM in /proc/self/status")
	return 0
}

// heapInUse returns the bytes of heap spans in use (HeapInuse), read
// without stopping the world.
func heapInUse() uint64 {
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	metrics.Read(samples)
	return samples[0].Value.Uint64() + samples[1].Value.Uint64()
}

type heapSampler struct {
	done chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

// startHeapSampler records the largest heapInUse seen every interval until
// stop, which returns it.
func startHeapSampler(every time.Duration) *heapSampler {
	s := &heapSampler{done: make(chan struct{}), peak: heapInUse()}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				s.peak = max(s.peak, heapInUse())
			case <-s.done:
				s.peak = max(s.peak, heapInUse())
				return
			}
		}
	}()
	return s
}

func (s *heapSampler) stop() uint64 {
	close(s.done)
	s.wg.Wait()
	return s.peak
}
