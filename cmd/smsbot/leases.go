package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"smsbot/lease"
)

// Leases this process takes besides the engine's sender:<id> and
// progress:<id>: one replica at a time polls Twilio and holds Discord's
// gateway; replica:<owner> lets the replicas count each other.
const (
	pollerLease   = "poller"
	discordLease  = "discord"
	replicaPrefix = "replica:"
)

// leaseTTL is how long a lease lasts without renewal: a replica that
// dies gives its leases to the others after at most this long (one that
// stops cleanly releases them at once).
const leaseTTL = 10 * time.Second

// holdRetry is how often a replica tries to take a lease another holds.
const holdRetry = time.Second

// startLeases makes the process's one Keeper over the store, runs it
// until a.stopLeases (which app.close calls after the engine has closed,
// releasing every lease still held), and takes replica:<owner>, taken
// again should it ever be lost.
func (a *app) startLeases(ctx context.Context) error {
	k, err := lease.New(lease.Config{Store: a.store, Owner: lease.NewOwner(), TTL: leaseTTL, Logger: a.log})
	if err != nil {
		return err
	}
	// Not ended by ctx: the engine still settles texts in flight under
	// its sender leases after the shutdown has begun.
	kctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	a.leases = k
	a.stopLeases = func() {
		cancel()
		wg.Wait()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		k.Run(kctx)
	}()
	name := replicaPrefix + k.Owner()
	if _, err := k.TryAcquire(ctx, name); err != nil {
		return fmt.Errorf("lease %s: %w", name, err)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Holds the lease just taken (TryAcquire returns it), and takes it
		// again after a loss, such as renewals failing for a while.
		k.Hold(kctx, name, holdRetry, func(ctx context.Context) { <-ctx.Done() })
	}()
	return nil
}

// holdPoller runs poll while this replica holds the poller lease, until
// ctx ends: the replica that takes the lease after a loss polls next.
func (a *app) holdPoller(ctx context.Context, poll func(context.Context) error) error {
	a.leases.Hold(ctx, pollerLease, holdRetry, func(ctx context.Context) {
		a.log.Info("polling Twilio: this replica holds the poller lease")
		poll(ctx) // returns nil once ctx ends, and only then
	})
	return nil
}

// holdGateway runs the Discord gateway (run) while this replica holds the
// discord lease: two sessions on one bot token would each receive every
// event. On a loss run's context ends, which closes the gateway, and the
// replica that takes the lease opens it. A failure of run (a bad token)
// is reported on errc, as serve's other long-running connections are. It
// returns a function that ends the holding and waits for it.
func (a *app) holdGateway(ctx context.Context, run func(context.Context) error, errc chan<- error) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.leases.Hold(ctx, discordLease, holdRetry, func(lctx context.Context) {
			a.log.Info("opening the Discord gateway: this replica holds the discord lease")
			if err := run(lctx); err != nil {
				select {
				case errc <- err:
				case <-ctx.Done():
				}
				return
			}
			if ctx.Err() == nil {
				a.log.Warn("closed the Discord gateway: this replica lost the discord lease; the replica that takes it opens it")
			}
		})
	}()
	return func() {
		cancel()
		<-done
	}
}
