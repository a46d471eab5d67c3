package broadcast

import (
	"context"
	"time"

	"smsbot/lease"
)

// Store is the durable state the engine needs. *store.Store implements it
// over SQLite; each method is one transaction, so a crash leaves either all
// of a method's writes or none.
type Store interface {
	lease.Store
	// Senders returns every sender, enabled or not, oldest first.
	Senders(ctx context.Context) ([]Sender, error)
	// AddSender adds a sender, or re-enables a removed one, or changes the
	// rate of an enabled one. It never moves contacts.
	AddSender(ctx context.Context, address string, rate float64, actor string) (s Sender, created bool, err error)
	// RemoveSender disables a sender and moves its contacts, and their
	// queued texts, to the least-loaded remaining senders for good. It
	// returns how many contacts moved.
	RemoveSender(ctx context.Context, address, actor string) (moved int, err error)

	// ListByName returns the named list, or an ENOTFOUND error.
	ListByName(ctx context.Context, name string) (List, error)
	// Audience counts a target's members by how a broadcast would treat them.
	Audience(ctx context.Context, t Target) (Audience, error)
	// SkippedMembers returns up to limit members of a target that a
	// broadcast would skip (opted out or invalid), oldest contact first.
	SkippedMembers(ctx context.Context, t Target, limit int) ([]Contact, error)

	// CreateBroadcast stores a new pending broadcast and returns it with its
	// ID; with a Question, its poll and options in the same transaction.
	CreateBroadcast(ctx context.Context, b Broadcast) (Broadcast, error)
	// Broadcast returns one broadcast, or an ENOTFOUND error.
	Broadcast(ctx context.Context, id int64) (Broadcast, error)
	// Poll returns the poll broadcast id asks, or an ENOTFOUND error.
	Poll(ctx context.Context, id int64) (Poll, error)
	// RecentBroadcasts returns the newest broadcasts first.
	RecentBroadcasts(ctx context.Context, limit int) ([]Broadcast, error)
	// SentToList returns the broadcasts to a list started at or after
	// since that are sending or sent at least one text, newest first.
	SentToList(ctx context.Context, listID int64, since time.Time) ([]Broadcast, error)
	// UnfinishedBroadcasts returns the broadcasts in Sending or Paused.
	UnfinishedBroadcasts(ctx context.Context) ([]Broadcast, error)
	// Transition moves a broadcast from one of from to to, recording actor
	// (as approver when to is Sending from Pending) and an audit entry. It
	// returns an ECONFLICT error naming the current status otherwise.
	// Cancelling marks the broadcast's queued texts skipped.
	Transition(ctx context.Context, id int64, from []Status, to Status, actor string, now time.Time) (Broadcast, error)

	// SenderLoads counts the contacts assigned to each enabled sender,
	// with its rate.
	SenderLoads(ctx context.Context) (map[int64]Load, error)
	// QueueBatch writes the outbox rows for up to limit members of the
	// broadcast's list with contact IDs above after, assigning senders
	// from bal to contacts that have none. It returns the last contact ID
	// written, or 0 when there were no more members. Rerunning it is
	// harmless.
	// With a personal template, each row gets its own rendered body.
	QueueBatch(ctx context.Context, b Broadcast, after int64, limit int, bal *Balancer, tmpl *Template, now time.Time) (last int64, err error)
	// EachRecipient calls fn with every member of the target who would be
	// texted (not opted out, not invalid), with their fields.
	EachRecipient(ctx context.Context, t Target, fn func(Contact) error) error
	// MarkQueued records that every outbox row of the broadcast exists.
	MarkQueued(ctx context.Context, id int64) error

	// NextQueued returns up to limit queued texts from sender that are due
	// at now, of broadcasts that are sending, in broadcast then row order.
	NextQueued(ctx context.Context, senderID int64, now time.Time, limit int) ([]Message, error)
	// NextDue returns when the earliest queued text of sender becomes due,
	// and false when it has none queued.
	NextDue(ctx context.Context, senderID int64) (time.Time, bool, error)
	// Sending returns the rows left in Sending of unfinished broadcasts.
	Sending(ctx context.Context) ([]Message, error)
	// Lease returns the lease row name, expired or not (ok false if it
	// was never taken): a new holder reads when its last holder's ended.
	Lease(ctx context.Context, name string) (lease.Info, bool, error)
	// SendingOf returns a sender's rows left in Sending.
	SendingOf(ctx context.Context, senderID int64) ([]Message, error)
	// KnownSID reports whether some outbox row or reply already holds sid.
	KnownSID(ctx context.Context, sid string) (bool, error)
	// Commit applies claims and outcomes in one transaction. It returns,
	// for each claim, the IDs it actually moved to Sending: a row that is
	// no longer queued, has moved to another sender, or whose broadcast is
	// no longer sending is left alone. It marks the outcomes that changed
	// nothing Refused, in c.Outcomes.
	Commit(ctx context.Context, c Commit) (claimed [][]int64, err error)
	// RemainingBySender sums the segments of a broadcast's open rows per sender.
	RemainingBySender(ctx context.Context, id int64) (map[int64]int, error)
	// Counts counts a broadcast's outbox rows by status.
	Counts(ctx context.Context, id int64) (Counts, error)
	// Reasons groups a broadcast's failed and skipped rows by reason.
	Reasons(ctx context.Context, id int64) ([]Reason, error)

	// StickySender returns the contact with phone (ENOTFOUND if unknown)
	// and its sender, assigning the least-loaded one if it has none.
	StickySender(ctx context.Context, phone string) (Contact, Sender, error)
	// RecordReply stores a text sent to one contact outside any broadcast.
	RecordReply(ctx context.Context, r Reply) error
}

// Audience describes a list's members as a broadcast would see them.
type Audience struct {
	Total    int
	OptedOut int
	Invalid  int
	// BySender counts eligible members already assigned to each enabled sender.
	BySender map[int64]int
	// Unassigned counts eligible members with no enabled sender yet.
	Unassigned int
	// Loads counts all contacts, of any list, per enabled sender, with
	// its rate.
	Loads map[int64]Load
}

// Eligible is the number of members that would be texted.
func (a Audience) Eligible() int { return a.Total - a.OptedOut - a.Invalid }

// Commit is one group commit of the engine's journal.
type Commit struct {
	// Claims move queued rows to Sending, counting an attempt, before the
	// provider is called.
	Claims []Claim
	Now    time.Time
	// Outcomes record what happened to rows in Sending.
	Outcomes []Outcome
}

// Claim asks to move a sender's queued rows to Sending.
type Claim struct {
	SenderID int64
	// Token is the fencing token of the claimer's lease on the sender: no
	// row is claimed unless that lease is still this token and unexpired
	// at Now. 0 claims without a lease (tools and tests on one process).
	Token int64
	IDs   []int64

	broadcastOf map[int64]int64 // for the engine's counts
}

// Outcome is the result of one send attempt (or reconciliation).
type Outcome struct {
	MessageID   int64
	BroadcastID int64
	ContactID   int64
	SenderID    int64
	Segments    int
	Status      MessageStatus // Sent, Failed, or Queued to retry
	ProviderSID string
	ErrorCode   string
	ErrorText   string
	Effect      ContactEffect
	NextAttempt time.Time // for Queued
	At          time.Time
	// Release gives back a row claimed but never sent: its attempt does
	// not count.
	Release bool
	// Token is the fencing token of the lease under which the row's
	// sender was claimed or reconciled: the outcome changes nothing unless
	// the sender's lease still has this token. 0 settles without a lease.
	Token int64
	// Refused is set by Store.Commit when the outcome changed nothing:
	// its row was no longer Sending (settled by another replica's
	// reconciliation) or the lease's token had changed. The engine does
	// not count it.
	Refused bool
}

// Counts counts a broadcast's outbox rows by status.
type Counts struct {
	Total       int
	Queued      int
	Sending     int
	Sent        int
	Delivered   int
	Undelivered int
	Failed      int
	Skipped     int
}

// Remaining is the number of texts not yet settled.
func (c Counts) Remaining() int { return c.Queued + c.Sending }

// Done is the number of texts the provider accepted.
func (c Counts) Done() int { return c.Sent + c.Delivered + c.Undelivered }

// Reason is a group of failed or skipped rows sharing an error.
type Reason struct {
	Status MessageStatus
	Code   string
	Text   string
	Count  int
}
