// Package lease coordinates the replicas of smsbot that share one
// database. A lease is a named row (sender:<id>, poller, discord,
// progress:<broadcast id>) held by one owner, a process, until it
// expires. A Keeper acquires leases for its process, renews them all in
// one statement every few seconds, and says when one is lost.
//
// Every acquisition gives the lease a fencing token one larger than the
// last. Writes made under a lease check its token in the same statement,
// so a process that lost its lease (stopped, partitioned, slow) changes
// nothing once another holds it.
//
// A holder trusts its lease only until TTL-Margin after the start of its
// last successful renewal, measured on its own monotonic clock: a process
// frozen for longer (SIGSTOP, a long GC pause, a VM migration) sees that
// on waking and stops before it sends anything. Replicas' wall clocks
// must agree (NTP) to well within the margin, since expiry is compared
// with the acquirer's clock.
package lease

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/jonboulle/clockwork"
)

// Store is the durable lease table; *store.Store implements it.
type Store interface {
	// AcquireLease takes name for owner until now+ttl if it is free or
	// owner's already, returning its new token; ok is false if another
	// owner holds it.
	AcquireLease(ctx context.Context, name, owner string, now time.Time, ttl time.Duration) (token int64, ok bool, err error)
	// RenewLeases extends owner's unexpired leases and returns them.
	RenewLeases(ctx context.Context, owner string, now time.Time, ttl time.Duration) (map[string]int64, error)
	// ReleaseLease expires a lease so another owner may take it at once.
	ReleaseLease(ctx context.Context, name, owner string, token int64, now time.Time) error
	// Leases lists the unexpired leases whose names start with prefix.
	Leases(ctx context.Context, prefix string, now time.Time) ([]Info, error)
}

// Info describes one lease as the database has it.
type Info struct {
	Name       string
	Owner      string
	Token      int64
	AcquiredAt time.Time
	ExpiresAt  time.Time
}

// Config configures a Keeper. Store is required.
type Config struct {
	Store Store
	// Owner names this process in the lease table (default NewOwner()).
	Owner string
	// TTL is how long a lease lasts without renewal (default 10s).
	TTL time.Duration
	// RenewEvery is the time between renewals (default TTL/3).
	RenewEvery time.Duration
	// Margin is how long before a lease's expiry its holder stops
	// trusting it (default TTL/10): room for a slow statement and clock
	// drift.
	Margin time.Duration
	Clock  clockwork.Clock // default: real
	Logger *slog.Logger    // default: discard
}

func (c *Config) setDefaults() {
	c.Owner = cmp.Or(c.Owner, NewOwner())
	c.TTL = cmp.Or(c.TTL, 10*time.Second)
	c.RenewEvery = cmp.Or(c.RenewEvery, c.TTL/3)
	c.Margin = cmp.Or(c.Margin, c.TTL/10)
	if c.Clock == nil {
		c.Clock = clockwork.NewRealClock()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
}

// NewOwner returns a name for this process, unique across restarts and
// machines: host, process ID and 8 random hex digits.
func NewOwner() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// ErrClosed is returned by TryAcquire after the Keeper's Run has ended.
var ErrClosed = errors.New("lease keeper stopped")
