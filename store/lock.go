package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"smsbot/broadcast"
)

// Lock makes one process at a time the owner of a database. On SQLite it
// is a lock file beside the database (smsbot.db.lock) held with flock(2):
// the kernel drops the hold when the process ends, however it ends (also
// on SIGKILL), so a file left behind by a dead process never blocks the
// next start. The file names its holder (pid, host, start time) for the
// refusal that a second process gets.
//
// Holding the Lock before broadcast.Engine.Start is what makes the
// engine's reconciliation at start safe: Start takes every outbox row
// left sending as abandoned and reconciles it, which is only right for
// rows that no live holder owns. With one owner per database, the rows
// left sending are the rows of a process that has died. A later store for
// several replicas on PostgreSQL keeps this seam: Acquire and Release
// become a lease (a row per holder, renewed, timed by the database's
// clock, with a fencing number), and reconciliation at start touches only
// the rows of holders whose lease has expired.
//
// Readers and short writers (smsbot import) need no Lock: SQLite
// serializes their transactions with the owner's. A Lock is not safe for
// concurrent use.
type Lock struct {
	db   string   // the database path, as given
	path string   // the lock file; "" for an in-memory database
	file *os.File // open while held
}

// Holder names the process holding a Lock, as its lock file says.
type Holder struct {
	PID   int       `json:"pid"`
	Host  string    `json:"host"`
	Since time.Time `json:"since"`
}

// HeldError is Acquire's error when another live process holds the Lock.
// It unwraps to a *broadcast.Error with code ECONFLICT.
type HeldError struct {
	DB   string // the database path
	File string // the lock file
	// Holder is who holds it; zero when the holder had not written its
	// name yet.
	Holder Holder
}

// Error implements the error interface.
func (e *HeldError) Error() string {
	if e.Holder.PID == 0 {
		return fmt.Sprintf("database %s is in use by another process (it holds %s)", e.DB, e.File)
	}
	return fmt.Sprintf("database %s is in use by pid %d on host %s since %s",
		e.DB, e.Holder.PID, e.Holder.Host, e.Holder.Since.Format(time.RFC3339))
}

// Unwrap returns the error as the core's *broadcast.Error (ECONFLICT).
func (e *HeldError) Unwrap() error { return broadcast.Errorf(broadcast.ECONFLICT, "%s", e.Error()) }

// NewLock returns the Lock of the SQLite database at dbPath (a
// store.Config.Path): the file dbPath + ".lock". An in-memory database
// (":memory:", "mode=memory") has no file and no second process; its Lock
// does nothing. Nor does a PostgreSQL DSN's (IsPostgres): one process per
// database is a SQLite rule, and replicas on PostgreSQL share one.
func NewLock(dbPath string) *Lock {
	l := &Lock{db: dbPath}
	if !IsPostgres(dbPath) && !strings.HasPrefix(dbPath, ":memory:") && !strings.Contains(dbPath, "mode=memory") {
		l.path = dbPath + ".lock"
	}
	return l
}

// Acquire takes the Lock without waiting, or returns a *HeldError naming
// the live process that holds it. It writes this process's pid, host and
// the time to the lock file.
func (l *Lock) Acquire(ctx context.Context) error {
	if l.path == "" {
		return nil
	}
	if l.file != nil {
		return fmt.Errorf("lock database %s: already acquired", l.db)
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := os.OpenFile(l.path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf("lock database %s: %w", l.db, err)
		}
		if err := flock(f); errors.Is(err, errLocked) {
			h := readHolder(ctx, f)
			f.Close()
			return &HeldError{DB: l.db, File: l.path, Holder: h}
		} else if err != nil {
			f.Close()
			return fmt.Errorf("lock database %s: flock %s: %w", l.db, l.path, err)
		}
		// The holder may have released and removed the file between our
		// open and our flock: then we hold a file nobody else will open.
		if same, err := isFile(f, l.path); err != nil || !same {
			f.Close()
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("lock database %s: %w", l.db, err)
			}
			continue
		}
		if err := writeHolder(f); err != nil {
			f.Close()
			return fmt.Errorf("lock database %s: write %s: %w", l.db, l.path, err)
		}
		l.file = f
		return nil
	}
}

// Release removes the lock file and lets another process acquire the
// Lock. It does nothing if the Lock is not held.
func (l *Lock) Release() error {
	if l.file == nil {
		return nil
	}
	f := l.file
	l.file = nil
	var rmErr error
	// Remove it while still holding it, and only if it is still ours.
	if same, err := isFile(f, l.path); err == nil && same {
		rmErr = os.Remove(l.path)
	}
	return errors.Join(rmErr, f.Close()) // closing drops the flock
}

// writeHolder replaces f's content with this process's Holder.
func writeHolder(f *os.File) error {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	b, err := json.Marshal(Holder{PID: os.Getpid(), Host: host, Since: time.Now().UTC().Truncate(time.Second)})
	if err != nil {
		return err
	}
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err = f.WriteAt(append(b, '\n'), 0)
	return err
}

// readHolder reads the Holder in a lock file held by another process. The
// holder writes it just after taking the flock, so a reader can come in
// between and find the file empty: it reads again for up to half a
// second, then gives up with a zero Holder.
func readHolder(ctx context.Context, f *os.File) Holder {
	for range 50 {
		var h Holder
		b, err := io.ReadAll(io.NewSectionReader(f, 0, 4096))
		if err == nil && json.Unmarshal(b, &h) == nil && h.PID > 0 {
			return h
		}
		select {
		case <-ctx.Done():
			return Holder{}
		case <-time.After(10 * time.Millisecond):
		}
	}
	return Holder{}
}

// isFile reports whether the open file f is the file now at path.
func isFile(f *os.File, path string) (bool, error) {
	open, err := f.Stat()
	if err != nil {
		return false, err
	}
	named, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	return os.SameFile(open, named), nil
}
