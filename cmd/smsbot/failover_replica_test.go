//go:build unix

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// replica is one `smsbot serve` process of a failover test. Its stderr
// (serve logs there) is copied line by line to a file under t.TempDir(),
// whose tail the test prints when it fails.
type serveProc struct {
	t       testing.TB
	name    string
	cmd     *exec.Cmd
	logPath string
	base    string        // http://host:port, once serving
	serving chan string   // the address of the "serving" log line
	exited  chan struct{} // closed once Wait returned
	err     error         // Wait's result, once exited is closed
}

// startServeProc starts `smsbot serve` with env and waits (at most timeout)
// for its "serving" log line, which names the port it listens on
// (SMSBOT_HTTP_ADDR=127.0.0.1:0, so no port is picked and raced for). At
// cleanup a replica still running is continued if stopped, and killed;
// the test waits for it, so no process outlives the test.
func startServeProc(t testing.TB, name, dir string, env []string, timeout time.Duration) *serveProc {
	t.Helper()
	r := &serveProc{t: t, name: name, logPath: filepath.Join(dir, name+".log"),
		serving: make(chan string, 1), exited: make(chan struct{})}
	logFile, err := os.Create(r.logPath)
	if err != nil {
		t.Fatal(err)
	}
	r.cmd = exec.Command(smsbotBinary(t), "serve")
	r.cmd.Dir = dir
	r.cmd.Env = append(env, "SMSBOT_HTTP_ADDR=127.0.0.1:0")
	stderr, err := r.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(r.exited)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logFile, line)
			if addr, ok := servingAddr(line); ok {
				select {
				case r.serving <- addr:
				default:
				}
			}
		}
		io.Copy(logFile, stderr)
		r.err = r.cmd.Wait() // after the last read, as StderrPipe requires
		logFile.Close()
	}()
	t.Cleanup(func() {
		select {
		case <-r.exited:
		default:
			_ = r.cmd.Process.Signal(syscall.SIGCONT) // a stopped process dies of SIGKILL too, but say it plainly
			_ = r.cmd.Process.Kill()
			<-r.exited
		}
		if t.Failed() {
			t.Logf("── %s: last lines of %s ──\n%s", r.name, r.logPath, r.tail(failLogLines))
		}
	})
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case addr := <-r.serving:
		r.base = "http://" + addr
	case <-r.exited:
		t.Fatalf("%s exited at start (%v):\n%s", name, r.err, r.tail(30))
	case <-timer.C:
		t.Fatalf("%s did not log serving within %v:\n%s", name, timeout, r.tail(30))
	}
	return r
}

// failLogLines is how much of each replica's log a failed test prints.
const failLogLines = 400

// servingAddr reads the address from serve's "serving" log line, as the
// text handler writes it: `… msg=serving http_addr=127.0.0.1:40123 …`.
func servingAddr(line string) (string, bool) {
	if !strings.Contains(line, "msg=serving ") {
		return "", false
	}
	_, rest, ok := strings.Cut(line, "http_addr=")
	if !ok {
		return "", false
	}
	addr, _, _ := strings.Cut(rest, " ")
	return addr, addr != ""
}

// signal sends sig to the replica, failing the test if it has exited.
func (r *serveProc) signal(sig syscall.Signal) {
	r.t.Helper()
	select {
	case <-r.exited:
		r.t.Fatalf("%s exited (%v) before %v:\n%s", r.name, r.err, sig, r.tail(30))
	default:
	}
	if err := r.cmd.Process.Signal(sig); err != nil {
		r.t.Fatalf("%s: %v: %v", r.name, sig, err)
	}
}

// killed waits for a SIGKILLed replica to end, failing if it ended otherwise.
func (r *serveProc) killed(timeout time.Duration) {
	r.t.Helper()
	r.wait(timeout)
	if ws, ok := r.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		r.t.Fatalf("%s ended with %v, want killed by SIGKILL", r.name, r.err)
	}
}

// terminate sends SIGTERM and waits for a clean exit (status 0).
func (r *serveProc) terminate(timeout time.Duration) {
	r.t.Helper()
	r.signal(syscall.SIGTERM)
	r.wait(timeout)
	if r.err != nil {
		r.t.Errorf("%s ended with %v after SIGTERM, want exit 0:\n%s", r.name, r.err, r.tail(30))
	}
}

func (r *serveProc) wait(timeout time.Duration) {
	r.t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-r.exited:
	case <-timer.C:
		r.t.Fatalf("%s did not exit within %v:\n%s", r.name, timeout, r.tail(30))
	}
}

// healthy reports whether GET /healthz answers 200 within timeout: a
// continued replica serves again.
func (r *serveProc) healthy(timeout time.Duration) error {
	c := http.Client{Timeout: timeout}
	resp, err := c.Get(r.base + "/healthz")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("/healthz answered %d", resp.StatusCode)
	}
	return nil
}

// tail returns the last n lines of the replica's log file.
func (r *serveProc) tail(n int) string {
	b, err := os.ReadFile(r.logPath)
	if err != nil {
		return err.Error()
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// grep counts the occurrences of s in the replica's log.
func (r *serveProc) grep(s string) int {
	b, _ := os.ReadFile(r.logPath)
	return bytes.Count(b, []byte(s))
}
