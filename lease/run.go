package lease

import (
	"context"
	"maps"
	"sync"
	"time"
)

// Lease is one held lease. Its Token fences the writes made under it.
type Lease struct {
	Name  string
	Token int64

	k     *Keeper
	mu    sync.Mutex
	until time.Time // trusted until, on the Keeper's clock (monotonic)
	done  chan struct{}
	once  sync.Once
}

func newLease(k *Keeper, name string, token int64, until time.Time) *Lease {
	return &Lease{Name: name, Token: token, k: k, until: until, done: make(chan struct{})}
}

// Lost is closed once the lease can no longer be trusted: a renewal did
// not return it, renewals failed until its trust ran out, or it was
// released.
func (l *Lease) Lost() <-chan struct{} { return l.done }

// Trusted reports whether the holder may still act under the lease at
// now (the Keeper's clock).
func (l *Lease) Trusted(now time.Time) bool {
	select {
	case <-l.done:
		return false
	default:
	}
	return now.Before(l.trustedUntil())
}

// TrustedUntil is when the holder stops trusting the lease unless a
// renewal extends it.
func (l *Lease) TrustedUntil() time.Time { return l.trustedUntil() }

func (l *Lease) trustedUntil() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.until
}

func (l *Lease) extend(until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.until = until
}

func (l *Lease) end() { l.once.Do(func() { close(l.done) }) }

// lose ends a lease that was taken away or ran out of trust.
func (l *Lease) lose() { l.end() }

// Run renews the Keeper's leases every RenewEvery until ctx ends, and
// ends each lease whose trust runs out first. At the end it releases
// every lease still held.
func (k *Keeper) Run(ctx context.Context) {
	next := k.clock.Now().Add(k.cfg.RenewEvery)
	for {
		k.expire(k.clock.Now())
		wait := next.Sub(k.clock.Now())
		if d, ok := k.firstDeadline(); ok {
			wait = min(wait, d.Sub(k.clock.Now()))
		}
		t := k.clock.NewTimer(max(wait, time.Millisecond))
		select {
		case <-ctx.Done():
			t.Stop()
			k.stop()
			return
		case <-k.wake:
			t.Stop()
			continue
		case <-t.Chan():
		}
		if now := k.clock.Now(); !now.Before(next) {
			k.renew(ctx, now)
			next = now.Add(k.cfg.RenewEvery)
		}
	}
}

// renew extends every held lease in one statement, started at start.
func (k *Keeper) renew(ctx context.Context, start time.Time) {
	k.mu.Lock()
	asked := maps.Clone(k.held) // a lease acquired during the statement is not judged by it
	k.mu.Unlock()
	if len(asked) == 0 {
		return
	}
	got, err := k.store.RenewLeases(ctx, k.cfg.Owner, start, k.cfg.TTL)
	k.mu.Lock()
	defer k.mu.Unlock()
	if err != nil {
		if ctx.Err() == nil && k.renewed {
			k.log.Error("renewing leases failed; this replica stops sending when their trust runs out", "err", err)
		}
		k.renewed = false
		return
	}
	if !k.renewed {
		k.log.Info("renewing leases again")
	}
	k.renewed = true
	until := start.Add(k.cfg.TTL - k.cfg.Margin)
	for name, l := range asked {
		if k.held[name] != l {
			continue // released, lost or acquired again meanwhile
		}
		if got[name] == l.Token {
			l.extend(until)
			continue
		}
		k.dropLocked(name, l, "lease taken by another replica")
	}
}

// expire ends the leases whose trust ran out at now.
func (k *Keeper) expire(now time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for name, l := range k.held {
		if !now.Before(l.trustedUntil()) {
			k.dropLocked(name, l, "lease not renewed in time")
		}
	}
}

// dropLocked forgets a lost lease and ends it. Callers hold k.mu.
func (k *Keeper) dropLocked(name string, l *Lease, why string) {
	delete(k.held, name)
	k.lost++
	l.lose()
	k.log.Error("lost lease; stopped acting under it", "lease", name, "token", l.Token, "reason", why)
}

func (k *Keeper) firstDeadline() (time.Time, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	var first time.Time
	for _, l := range k.held {
		if u := l.trustedUntil(); first.IsZero() || u.Before(first) {
			first = u
		}
	}
	return first, !first.IsZero()
}

// stop releases every held lease and refuses new ones.
func (k *Keeper) stop() {
	k.mu.Lock()
	k.closed = true
	held := make([]*Lease, 0, len(k.held))
	for _, l := range k.held {
		held = append(held, l)
	}
	k.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, l := range held {
		k.Release(ctx, l)
	}
}

// Hold runs fn while this process holds the lease name: it tries to
// acquire it every retry until ctx ends, runs fn with a context that ends
// when the lease is lost, and releases the lease when fn returns. It is
// for work one replica at a time does (polling, a gateway connection).
func (k *Keeper) Hold(ctx context.Context, name string, retry time.Duration, fn func(ctx context.Context)) {
	for ctx.Err() == nil {
		l, err := k.TryAcquire(ctx, name)
		if err == ErrClosed {
			return
		}
		if err != nil {
			k.log.Warn("acquiring lease failed, will retry", "lease", name, "err", err)
		}
		if l != nil {
			lctx, cancel := context.WithCancel(ctx)
			go func() {
				select {
				case <-l.Lost():
				case <-lctx.Done():
				}
				cancel()
			}()
			fn(lctx)
			cancel()
			k.Release(ctx, l)
		}
		t := k.clock.NewTimer(retry)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.Chan():
		}
	}
}
