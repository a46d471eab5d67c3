package bot_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"smsbot/bot"
	"smsbot/broadcast"
	"smsbot/lease"
)

// world is the broadcasts' progress as every replica's engine reads it
// from the shared database.
type world struct {
	mu      sync.Mutex
	current map[int64]broadcast.Progress
	engines []*sharedEngine
}

func newWorld() *world { return &world{current: map[int64]broadcast.Progress{}} }

// set changes a broadcast's progress and tells every subscriber, on
// every replica.
func (w *world) set(p broadcast.Progress) {
	w.mu.Lock()
	w.current[p.Broadcast.ID] = p
	engines := w.engines
	w.mu.Unlock()
	for _, e := range engines {
		e.publish(p)
	}
}

// sharedEngine is one replica's engine: only what following progress
// needs. Its other methods panic (the embedded nil interface).
type sharedEngine struct {
	bot.Engine
	w       *world
	mu      sync.Mutex
	subs    map[int64][]chan broadcast.Progress
	stopped chan int64 // a subscription ended
}

func (w *world) engine() *sharedEngine {
	e := &sharedEngine{w: w, subs: map[int64][]chan broadcast.Progress{}, stopped: make(chan int64, 16)}
	w.mu.Lock()
	w.engines = append(w.engines, e)
	w.mu.Unlock()
	return e
}

func (e *sharedEngine) Status(_ context.Context, id int64) (broadcast.Progress, error) {
	e.w.mu.Lock()
	defer e.w.mu.Unlock()
	p, ok := e.w.current[id]
	if !ok {
		return p, broadcast.Errorf(broadcast.ENOTFOUND, "there is no broadcast #%d", id)
	}
	return p, nil
}

func (e *sharedEngine) Unfinished(context.Context) ([]broadcast.Broadcast, error) {
	e.w.mu.Lock()
	defer e.w.mu.Unlock()
	var out []broadcast.Broadcast
	for _, p := range e.w.current {
		if s := p.Broadcast.Status; s == broadcast.StatusSending || s == broadcast.StatusPaused {
			out = append(out, p.Broadcast)
		}
	}
	return out, nil
}

// Approve and Pause change the broadcast's status for every replica.
func (e *sharedEngine) Approve(ctx context.Context, id int64, _ string) (broadcast.Broadcast, error) {
	return e.to(ctx, id, broadcast.StatusSending)
}

func (e *sharedEngine) Pause(ctx context.Context, id int64, _ string) (broadcast.Broadcast, error) {
	return e.to(ctx, id, broadcast.StatusPaused)
}

func (e *sharedEngine) to(ctx context.Context, id int64, s broadcast.Status) (broadcast.Broadcast, error) {
	p, err := e.Status(ctx, id)
	if err != nil {
		return p.Broadcast, err
	}
	p.Broadcast.Status = s
	e.w.set(p)
	return p.Broadcast, nil
}

func (e *sharedEngine) Reasons(context.Context, int64) ([]broadcast.Reason, error) { return nil, nil }

// Subscribe sends the current progress first, then every change.
func (e *sharedEngine) Subscribe(ctx context.Context, id int64) (<-chan broadcast.Progress, func(), error) {
	e.mu.Lock() // a change set meanwhile is published once this is subscribed
	p, err := e.Status(ctx, id)
	if err != nil {
		e.mu.Unlock()
		return nil, nil, err
	}
	ch := make(chan broadcast.Progress, 64)
	ch <- p
	e.subs[id] = append(e.subs[id], ch)
	e.mu.Unlock()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			e.mu.Lock()
			subs := e.subs[id]
			for i, c := range subs {
				if c == ch {
					e.subs[id] = append(subs[:i:i], subs[i+1:]...)
				}
			}
			e.mu.Unlock()
			e.stopped <- id
		})
	}
	return ch, stop, nil
}

func (e *sharedEngine) publish(p broadcast.Progress) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, ch := range e.subs[p.Broadcast.ID] {
		ch <- p
	}
}

// following is how many subscriptions this replica has.
func (e *sharedEngine) following() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, s := range e.subs {
		n += len(s)
	}
	return n
}

// waitStopped waits until a subscription of this replica ends.
func (e *sharedEngine) waitStopped(t *testing.T) {
	t.Helper()
	select {
	case <-e.stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("the replica went on following progress")
	}
}

// chatEvent is one post or edit, by one replica, in the shared channel.
type chatEvent struct {
	replica, op string
	ref         bot.Ref
	m           bot.Message
}

// chat is one Slack channel that every replica posts in and edits.
type chat struct {
	mu     sync.Mutex
	seq    int
	all    []chatEvent
	events chan chatEvent
}

func newChat() *chat { return &chat{events: make(chan chatEvent, 256)} }

func (c *chat) record(e chatEvent) {
	c.mu.Lock()
	c.all = append(c.all, e)
	c.mu.Unlock()
	c.events <- e
}

// next waits for the next post or edit.
func (c *chat) next(t *testing.T) chatEvent {
	t.Helper()
	select {
	case e := <-c.events:
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no post or edit came")
		return chatEvent{}
	}
}

// nextFrom waits for replica's next post or edit, skipping edits the
// others made of a state still running (": sending"): a replica cut off
// may have shown one while it still trusted its lease, which reaches the
// test after the cut when the machine is slow. Anything else from them
// fails the test.
func (c *chat) nextFrom(t *testing.T, replica string) chatEvent {
	t.Helper()
	for {
		e := c.next(t)
		if e.replica == replica {
			return e
		}
		if e.op != "update" || !strings.HasSuffix(e.m.Title, ": sending") {
			t.Fatalf("got %s %s %s %q; want %s's", e.replica, e.op, e.ref, e.m.Title, replica)
		}
	}
}

// none fails the test if a post or edit is waiting.
func (c *chat) none(t *testing.T, when string) {
	t.Helper()
	select {
	case e := <-c.events:
		t.Fatalf("%s: %s %s %s %q, want nothing", when, e.replica, e.op, e.ref, e.m.Title)
	default:
	}
}

// summaries counts the edits that show a final summary.
func (c *chat) summaries() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, e := range c.all {
		if strings.HasSuffix(e.m.Title, ": finished") {
			n++
		}
	}
	return n
}

// chatConv is the channel as one replica's adapter shows it.
type chatConv struct {
	c       *chat
	replica string
}

func (v chatConv) ProgressPlatform() string { return "slack" }

func (v chatConv) Post(_ context.Context, m bot.Message) (bot.Ref, error) {
	v.c.mu.Lock()
	v.c.seq++
	ref := bot.Ref("C1/" + strings.Repeat("1", v.c.seq))
	v.c.mu.Unlock()
	v.c.record(chatEvent{v.replica, "post", ref, m})
	return ref, nil
}

func (v chatConv) Update(_ context.Context, ref bot.Ref, m bot.Message) error {
	v.c.record(chatEvent{v.replica, "update", ref, m})
	return nil
}

// flaky is a replica's way to the lease table, which the test can cut
// (a partition, or a process frozen or dead: its renewals stop).
type flaky struct {
	lease.Store
	mu   sync.Mutex
	down bool
}

var errCut = errors.New("connection refused")

func (f *flaky) cut(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

func (f *flaky) err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errCut
	}
	return nil
}

func (f *flaky) AcquireLease(ctx context.Context, name, owner string, now time.Time, ttl time.Duration) (int64, bool, error) {
	if err := f.err(); err != nil {
		return 0, false, err
	}
	return f.Store.AcquireLease(ctx, name, owner, now, ttl)
}

func (f *flaky) RenewLeases(ctx context.Context, owner string, now time.Time, ttl time.Duration) (map[string]int64, error) {
	if err := f.err(); err != nil {
		return nil, err
	}
	return f.Store.RenewLeases(ctx, owner, now, ttl)
}

func (f *flaky) ReleaseLease(ctx context.Context, name, owner string, token int64, now time.Time) error {
	if err := f.err(); err != nil {
		return err
	}
	return f.Store.ReleaseLease(ctx, name, owner, token, now)
}
