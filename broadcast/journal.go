package broadcast

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jonboulle/clockwork"
)

// journal is the engine's single writer of outbox state. Workers hand it
// claims (which they wait for: a row must be durably Sending before its
// provider call) and outcomes (which they do not wait for: a crash before
// an outcome is written leaves the row Sending, and reconciliation finds
// the text). It commits whatever has piled up in one transaction, so a
// busy engine needs far fewer commits than texts.
type journal struct {
	store    Store
	clock    clockwork.Clock
	log      *slog.Logger
	maxBatch int
	ops      chan journalOp
	done     chan struct{}
	// mu lets submitters check closed and send without racing close.
	mu     sync.RWMutex
	closed bool
	// applied runs on the journal goroutine after each commit, in commit
	// order, with the claimed IDs.
	applied func(c Commit, claimed [][]int64)
	// stalled is called on the journal goroutine with the store's error
	// once commits have failed for a while, and with nil when one lands.
	stalled  func(err error)
	closing  atomic.Bool   // set by close: a failing commit gives up
	quit     chan struct{} // closed by giveUp: a commit's backoff ends
	quitOnce sync.Once
}

type journalOp struct {
	claim   *Claim
	outcome *Outcome
	do      func()
	reply   chan claimReply
}

type claimReply struct {
	ids []int64
	err error
}

func newJournal(s Store, clock clockwork.Clock, log *slog.Logger, maxBatch int, applied func(Commit, [][]int64), stalled func(error)) *journal {
	j := &journal{
		store:    s,
		clock:    clock,
		log:      log,
		maxBatch: maxBatch,
		ops:      make(chan journalOp, 4*maxBatch),
		done:     make(chan struct{}),
		quit:     make(chan struct{}),
		applied:  applied,
		stalled:  stalled,
	}
	go j.loop()
	return j
}

// claim durably moves rows to Sending and returns the IDs it moved.
func (j *journal) claim(ctx context.Context, senderID, token int64, rows []Message) ([]int64, error) {
	c := &Claim{SenderID: senderID, Token: token, broadcastOf: make(map[int64]int64, len(rows))}
	for _, m := range rows {
		c.IDs = append(c.IDs, m.ID)
		c.broadcastOf[m.ID] = m.BroadcastID
	}
	reply := make(chan claimReply, 1)
	if !j.submit(ctx, journalOp{claim: c, reply: reply}) {
		return nil, errJournalClosed
	}
	// Once submitted, the claim is committed or failed; wait for which, so
	// the caller never sends a row it does not know to be Sending.
	r := <-reply
	return r.ids, r.err
}

// errJournalClosed is returned for work submitted after close.
var errJournalClosed = errors.New("broadcast engine is closed")

// submit hands an op to the journal; it reports false if the journal is
// closed (or ctx ended first).
func (j *journal) submit(ctx context.Context, op journalOp) bool {
	j.mu.RLock()
	defer j.mu.RUnlock()
	if j.closed {
		return false
	}
	select {
	case j.ops <- op:
		return true
	case <-ctx.Done():
		return false
	}
}

// record queues an outcome for the next commit. While commits fail it
// blocks once the journal's queue is full. After close it is dropped: its
// row stays Sending and is reconciled at the next start.
func (j *journal) record(o Outcome) {
	if !j.submit(context.Background(), journalOp{outcome: &o}) {
		j.log.Warn("outcome after close; the row will be reconciled at next start", "message_id", o.MessageID)
	}
}

// do runs fn on the journal goroutine between two commits, and reports
// false (not running fn) after close.
func (j *journal) do(fn func()) bool {
	done := make(chan struct{})
	if !j.submit(context.Background(), journalOp{do: func() { fn(); close(done) }}) {
		return false
	}
	<-done
	return true
}

// giveUp makes a failing commit stop retrying: the engine is closing, and
// its goroutines waiting on claims must not wait for a disk to free up.
func (j *journal) giveUp() {
	j.quitOnce.Do(func() {
		j.closing.Store(true)
		close(j.quit)
	})
}

// close commits everything queued and stops the journal. Work submitted
// later is refused.
func (j *journal) close() {
	j.giveUp()
	j.mu.Lock()
	j.closed = true
	close(j.ops)
	j.mu.Unlock()
	<-j.done
}

func (j *journal) loop() {
	defer close(j.done)
	for op := range j.ops {
		batch := []journalOp{op}
	fill:
		for len(batch) < j.maxBatch {
			select {
			case op, ok := <-j.ops:
				if !ok {
					break fill
				}
				batch = append(batch, op)
			default:
				break fill
			}
		}
		j.flush(batch)
	}
}

// flush commits one batch. do-ops split the batch so that they run after
// everything submitted before them is committed.
func (j *journal) flush(batch []journalOp) {
	var pending []journalOp
	for _, op := range batch {
		if op.do != nil {
			j.commit(pending)
			pending = pending[:0]
			op.do()
			continue
		}
		pending = append(pending, op)
	}
	j.commit(pending)
}

func (j *journal) commit(ops []journalOp) {
	if len(ops) == 0 {
		return
	}
	c := Commit{Now: j.clock.Now()}
	var replies []chan claimReply
	for _, op := range ops {
		if op.claim != nil {
			c.Claims = append(c.Claims, *op.claim)
			replies = append(replies, op.reply)
		}
		if op.outcome != nil {
			c.Outcomes = append(c.Outcomes, *op.outcome)
		}
	}
	claimed, err := j.commitWithRetry(c)
	for i, r := range replies {
		if err != nil {
			r <- claimReply{err: err}
			continue
		}
		r <- claimReply{ids: claimed[i]}
	}
	if err != nil {
		// Only at close, with the store still failing: the rows stay
		// Sending and are reconciled at the next start.
		j.log.Error("journal commit failed at shutdown; affected rows will be reconciled at next start",
			"claims", len(c.Claims), "outcomes", len(c.Outcomes), "err", err)
		c.Outcomes = nil
	}
	if j.applied != nil {
		j.applied(c, claimed)
	}
}

// commitWithRetry commits c, retrying with backoff for as long as it takes:
// SQLite may be busy with another writer, or the disk full. Meanwhile the
// ops channel fills and submitters block, so sending stops instead of
// outcomes being dropped, and memory stays bounded by the channel and the
// calls in flight. stalled is told when the store has failed for a while
// and again when it recovers. Only a close gives up, after one more try.
func (j *journal) commitWithRetry(c Commit) ([][]int64, error) {
	wait := commitRetryBase
	var reported bool
	for attempt := 1; ; attempt++ {
		claimed, err := j.store.Commit(context.Background(), c)
		if err == nil {
			if reported && j.stalled != nil {
				j.stalled(nil)
			}
			return claimed, nil
		}
		if j.closing.Load() {
			return nil, fmt.Errorf("commit outbox: %w", err)
		}
		j.log.Warn("journal commit failed, retrying", "attempt", attempt, "wait", wait, "err", err)
		if attempt == commitStallAfter && j.stalled != nil {
			reported = true
			j.stalled(err)
		}
		select {
		case <-j.clock.After(wait):
		case <-j.quit:
		}
		wait = min(2*wait, commitRetryMax)
	}
}

// Commit retries: the first waits commitRetryBase, doubling up to
// commitRetryMax; after commitStallAfter failures the engine shows why
// sending has stopped.
const (
	commitRetryBase  = 100 * time.Millisecond
	commitRetryMax   = 5 * time.Second
	commitStallAfter = 5
)
