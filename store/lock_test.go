package store_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"smsbot/broadcast"
	"smsbot/store"
)

// acquire takes a new Lock on db and releases it when the test ends.
func acquire(t *testing.T, db string) *store.Lock {
	t.Helper()
	l := store.NewLock(db)
	if err := l.Acquire(context.Background()); err != nil {
		t.Fatalf("Acquire: %v", err)
	}
	t.Cleanup(func() { l.Release() })
	return l
}

// heldBy asserts that err is a *HeldError naming pid on this host, and
// the core's ECONFLICT.
func heldBy(t *testing.T, err error, db string, pid int) {
	t.Helper()
	var held *store.HeldError
	if !errors.As(err, &held) {
		t.Fatalf("second Acquire = %v, want a *store.HeldError", err)
	}
	host, _ := os.Hostname()
	if held.DB != db || held.Holder.PID != pid || held.Holder.Host != host {
		t.Errorf("HeldError = %+v, want db %s, pid %d, host %s", held, db, pid, host)
	}
	if age := time.Since(held.Holder.Since); age < -time.Second || age > time.Minute {
		t.Errorf("holder since %v, want about now", held.Holder.Since)
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("pid %d on host %s", pid, host)) {
		t.Errorf("error %q does not name the holder", err)
	}
	if code := broadcast.ErrorCode(err); code != broadcast.ECONFLICT {
		t.Errorf("ErrorCode = %q, want %q", code, broadcast.ECONFLICT)
	}
}

func TestLockSecondAcquireNamesHolder(t *testing.T) {
	db := filepath.Join(t.TempDir(), "smsbot.db")
	acquire(t, db)
	heldBy(t, store.NewLock(db).Acquire(context.Background()), db, os.Getpid())
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the lock touched the database file: %v", err)
	}
}

func TestLockReleaseLetsTheNextAcquire(t *testing.T) {
	db := filepath.Join(t.TempDir(), "smsbot.db")
	first := acquire(t, db)
	if err := first.Release(); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if _, err := os.Stat(db + ".lock"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file after Release: %v, want it removed", err)
	}
	if err := first.Release(); err != nil {
		t.Errorf("second Release: %v, want nil", err)
	}
	second := acquire(t, db)
	heldBy(t, first.Acquire(context.Background()), db, os.Getpid()) // the first, reused, is refused too
	if err := second.Release(); err != nil {
		t.Fatalf("Release: %v", err)
	}
	acquire(t, db)
}

func TestLockInMemoryDatabaseIsNotLocked(t *testing.T) {
	for _, db := range []string{":memory:", ":memory:?cache=shared", "file:x?mode=memory"} {
		acquire(t, db)
		acquire(t, db) // no second process can share it, so nothing to refuse
	}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".lock") {
			t.Errorf("an in-memory database's lock created %s", e.Name())
		}
	}
}

// A PostgreSQL database is shared by replicas: its Lock takes nothing and
// writes no file (in the test's directory, where a relative "lock file"
// of the DSN would land).
func TestLockPostgresIsNotLocked(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, db := range []string{"postgres://u:p@127.0.0.1:5432/db?sslmode=disable", "postgresql://127.0.0.1/db"} {
		acquire(t, db)
		acquire(t, db)
	}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("a PostgreSQL database's lock created %v", entries)
	}
	if !store.IsPostgres("postgresql://h/db") || store.IsPostgres("./postgres.db") || store.IsPostgres("Postgres://h/db") {
		t.Error("IsPostgres: wrong answer")
	}
}

// A holder that has taken the flock but not yet written its name is still
// a holder: the refusal says which file is held.
func TestLockHolderWithoutNameStillRefuses(t *testing.T) {
	db := filepath.Join(t.TempDir(), "smsbot.db")
	f, err := os.Create(db + ".lock")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	err = store.NewLock(db).Acquire(context.Background())
	var held *store.HeldError
	if !errors.As(err, &held) || held.Holder.PID != 0 || !strings.Contains(err.Error(), db+".lock") {
		t.Fatalf("Acquire = %v, want a HeldError naming the lock file and no pid", err)
	}
}

// lockHelperEnv, set, makes TestLockHelperProcess hold the lock of the
// database it names until its stdin closes or it is killed.
const lockHelperEnv = "SMSBOT_STORE_LOCK_HELPER_DB"

// TestLockHelperProcess is not a test: TestLockKilledHolderDoesNotBlock
// runs the test binary again with lockHelperEnv set, to hold the lock in
// another process.
func TestLockHelperProcess(t *testing.T) {
	db := os.Getenv(lockHelperEnv)
	if db == "" {
		t.Skip("helper process for TestLockKilledHolderDoesNotBlock")
	}
	if err := store.NewLock(db).Acquire(context.Background()); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("held")
	bufio.NewReader(os.Stdin).ReadString('\n') // blocks until killed
	os.Exit(0)
}

// A process killed with SIGKILL leaves its lock file behind, naming it;
// the kernel has dropped its flock, so the next Acquire succeeds.
func TestLockKilledHolderDoesNotBlock(t *testing.T) {
	db := filepath.Join(t.TempDir(), "smsbot.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelperProcess$")
	cmd.Env = append(os.Environ(), lockHelperEnv+"="+db)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- s
	}()
	select {
	case s := <-line:
		if s != "held\n" {
			t.Fatalf("helper said %q, want held", s)
		}
	case <-time.After(30 * time.Second): // a failsafe, not a pace
		t.Fatal("helper did not take the lock")
	}

	heldBy(t, store.NewLock(db).Acquire(context.Background()), db, cmd.Process.Pid)

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	killed = true
	stale, err := os.ReadFile(db + ".lock")
	if err != nil || !strings.Contains(string(stale), fmt.Sprintf(`"pid":%d`, cmd.Process.Pid)) {
		t.Fatalf("lock file after SIGKILL = %q, %v; want it left behind, naming the killed pid", stale, err)
	}
	acquire(t, db)
	heldBy(t, store.NewLock(db).Acquire(context.Background()), db, os.Getpid())
}
