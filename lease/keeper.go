package lease

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
)

// Keeper holds a process's leases: it acquires them on request, renews
// them all together, and closes a Lease's Lost channel the moment it can
// no longer be trusted. Its methods are safe for concurrent use.
type Keeper struct {
	cfg   Config
	store Store
	clock clockwork.Clock
	log   *slog.Logger

	mu       sync.Mutex
	held     map[string]*Lease
	renewed  bool // the last renewal succeeded
	closed   bool
	acquired int64 // leases acquired since start
	lost     int64 // leases lost (not released) since start
	wake     chan struct{}
}

// New returns a Keeper. Call Run to renew its leases.
func New(cfg Config) (*Keeper, error) {
	if cfg.Store == nil {
		return nil, errors.New("lease: Config.Store is required")
	}
	cfg.setDefaults()
	if cfg.Margin >= cfg.TTL {
		return nil, errors.New("lease: Config.Margin must be below TTL")
	}
	return &Keeper{
		cfg: cfg, store: cfg.Store, clock: cfg.Clock,
		log:     cfg.Logger.With("component", "lease", "owner", cfg.Owner),
		held:    map[string]*Lease{},
		renewed: true,
		wake:    make(chan struct{}, 1),
	}, nil
}

// Owner is the name this Keeper holds leases under.
func (k *Keeper) Owner() string { return k.cfg.Owner }

// TTL is how long a lease lasts without renewal.
func (k *Keeper) TTL() time.Duration { return k.cfg.TTL }

// Clock is the clock leases are trusted by.
func (k *Keeper) Clock() clockwork.Clock { return k.clock }

// TryAcquire takes the lease name if no other process holds it. It
// returns nil (and no error) when another does, and the held Lease when
// this Keeper holds it already.
func (k *Keeper) TryAcquire(ctx context.Context, name string) (*Lease, error) {
	k.mu.Lock()
	if k.closed {
		k.mu.Unlock()
		return nil, ErrClosed
	}
	if l := k.held[name]; l != nil {
		k.mu.Unlock()
		return l, nil
	}
	k.mu.Unlock()
	start := k.clock.Now()
	token, ok, err := k.store.AcquireLease(ctx, name, k.cfg.Owner, start, k.cfg.TTL)
	if err != nil || !ok {
		return nil, err
	}
	l := newLease(k, name, token, start.Add(k.cfg.TTL-k.cfg.Margin))
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		go k.store.ReleaseLease(context.WithoutCancel(ctx), name, k.cfg.Owner, token, k.clock.Now())
		return nil, ErrClosed
	}
	if old := k.held[name]; old != nil {
		old.lose() // a second acquisition raced this one: the newer token wins
	}
	k.held[name] = l
	k.acquired++
	k.log.Info("acquired lease", "lease", name, "token", token)
	k.kick()
	return l, nil
}

// Release gives a lease back: it stops being trusted at once and another
// process may take it without waiting for its TTL. Releasing a lost or
// released lease does nothing.
func (k *Keeper) Release(ctx context.Context, l *Lease) {
	if l == nil {
		return
	}
	k.mu.Lock()
	mine := k.held[l.Name] == l
	if mine {
		delete(k.held, l.Name)
	}
	k.mu.Unlock()
	if !mine {
		return
	}
	l.end()
	if err := k.store.ReleaseLease(context.WithoutCancel(ctx), l.Name, k.cfg.Owner, l.Token, k.clock.Now()); err != nil {
		// It expires by itself within the TTL.
		k.log.Warn("releasing lease failed; it expires by itself", "lease", l.Name, "err", err)
		return
	}
	k.log.Info("released lease", "lease", l.Name, "token", l.Token)
}

// Held returns the leases this Keeper holds now, by name.
func (k *Keeper) Held() []Held {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]Held, 0, len(k.held))
	for _, l := range k.held {
		out = append(out, Held{Name: l.Name, Token: l.Token, TrustedUntil: l.trustedUntil()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Held is a lease this process holds.
type Held struct {
	Name         string
	Token        int64
	TrustedUntil time.Time
}

// Stats counts lease changes since start.
type Stats struct {
	Held     int
	Acquired int64
	Lost     int64
	// Renewing is false while renewals fail.
	Renewing bool
}

// Stats returns the Keeper's counts.
func (k *Keeper) Stats() Stats {
	k.mu.Lock()
	defer k.mu.Unlock()
	return Stats{Held: len(k.held), Acquired: k.acquired, Lost: k.lost, Renewing: k.renewed}
}

// Others returns the unexpired leases with the prefix that other
// processes hold.
func (k *Keeper) Others(ctx context.Context, prefix string) ([]Info, error) {
	all, err := k.store.Leases(ctx, prefix, k.clock.Now())
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, i := range all {
		if i.Owner != k.cfg.Owner {
			out = append(out, i)
		}
	}
	return out, nil
}

// kick makes Run look at its deadlines again. Callers hold k.mu.
func (k *Keeper) kick() {
	select {
	case k.wake <- struct{}{}:
	default:
	}
}
