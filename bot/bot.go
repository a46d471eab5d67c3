// Package bot is smsbot's chat-agnostic command router. Adapters (the
// console, Slack, Discord) turn their platform's events into Invocations
// and Clicks, and implement Conversation to show the router's Messages.
// The commands, access rules and texts live here, once.
package bot

import (
	"cmp"
	"context"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"smsbot/broadcast"
	"smsbot/importer"
	"smsbot/lease"
	"smsbot/stats"
)

// Engine is what the router needs of the broadcast engine.
type Engine interface {
	Senders(ctx context.Context) ([]broadcast.Sender, error)
	AddSender(ctx context.Context, addr string, rate float64, actor string) (broadcast.Sender, bool, error)
	RemoveSender(ctx context.Context, addr, actor string) (int, error)
	Prepare(ctx context.Context, d broadcast.Draft) (broadcast.Preview, error)
	Approve(ctx context.Context, id int64, actor string) (broadcast.Broadcast, error)
	Cancel(ctx context.Context, id int64, actor string) (broadcast.Broadcast, error)
	Pause(ctx context.Context, id int64, actor string) (broadcast.Broadcast, error)
	Resume(ctx context.Context, id int64, actor string) (broadcast.Broadcast, error)
	Status(ctx context.Context, id int64) (broadcast.Progress, error)
	Recent(ctx context.Context, limit int) ([]broadcast.Progress, error)
	Reasons(ctx context.Context, id int64) ([]broadcast.Reason, error)
	Subscribe(ctx context.Context, id int64) (<-chan broadcast.Progress, func(), error)
	Unfinished(ctx context.Context) ([]broadcast.Broadcast, error)
	SendDirect(ctx context.Context, phone, body, actor string) (broadcast.Direct, error)
	LeftOut(ctx context.Context, id int64, limit int) (broadcast.LeftOut, error)
}

// Simulator makes a contact text in, on the simulated carrier.
type Simulator interface {
	SimulateText(ctx context.Context, from, body string) error
}

// SimReplier is a Simulator that says what smsbot texted back, so that
// /sms sim reply can show it (a poll's confirmation, the auto-reply).
type SimReplier interface {
	SimulateTextReplied(ctx context.Context, from, body string) (reply string, err error)
}

// Directory is what the router needs of the contact store.
type Directory interface {
	Lists(ctx context.Context) ([]broadcast.List, error)
	AddMember(ctx context.Context, list, phone, name, actor string) (broadcast.MemberResult, error)
	RemoveMember(ctx context.Context, list, phone, actor string) error
	ListByName(ctx context.Context, name string) (broadcast.List, error)
	// Members returns a page of a list's members; see store.Members.
	Members(ctx context.Context, list string, offset, limit int) (broadcast.List, []broadcast.Member, error)
	RenameList(ctx context.Context, old, new, actor string) (broadcast.List, error)
	// CheckDeleteList and DeleteList refuse (ECONFLICT) a list its
	// history needs (see broadcast.ListDeletion) and say what goes with
	// it; DeleteList keeps the contacts.
	CheckDeleteList(ctx context.Context, id int64) (broadcast.ListDeletion, error)
	DeleteList(ctx context.Context, id int64, actor string) (broadcast.ListDeletion, error)
	// ContactDetails returns a contact with its lists, sender and newest
	// texts, or ENOTFOUND.
	ContactDetails(ctx context.Context, phone string, texts int) (broadcast.ContactDetails, error)
	// Forget erases a contact everywhere (see store.Forget); ENOTFOUND
	// once forgotten.
	Forget(ctx context.Context, contactID int64, actor string) (broadcast.Forgotten, error)
	// UndoImport undoes the last import into a list within window (see
	// store.UndoImport).
	UndoImport(ctx context.Context, list, actor string, window time.Duration) (broadcast.ImportUndo, error)
	// ContactByThread returns the contact whose staff thread ref is on
	// platform, or an ENOTFOUND error.
	ContactByThread(ctx context.Context, platform, ref string) (broadcast.Contact, error)
	importer.Store
}

// Config configures a Router. Engine and Directory are required.
type Config struct {
	Engine    Engine
	Directory Directory
	Clock     clockwork.Clock // default: real
	Logger    *slog.Logger    // default: discard
	// Admins may run commands that change data or send. Empty: everyone.
	Admins []string
	// Approvers, when set, are the only users who may approve a send, and
	// never their own (the two-person rule). Empty: the requester (or any
	// admin) confirms.
	Approvers []string
	// PricePerSegment estimates cost in previews (USD; 0 hides cost).
	PricePerSegment float64
	// Region reads national phone numbers (default US).
	Region string
	// DefaultRate is the rate of a number added without one, in segments
	// per second (default 1).
	DefaultRate float64
	// ProgressEvery is the least time between two progress edits (default 2s).
	ProgressEvery time.Duration
	// Simulator, when set, enables /sms sim reply (simulated carrier only).
	Simulator Simulator
	// Scheduler, when set, enables /sms schedule, schedules and unschedule.
	Scheduler Scheduler
	// Stats, when set, enables /sms stats and /sms export.
	Stats stats.Store
	// Location shows times (SMSBOT_TZ; default time.Local).
	Location *time.Location
	// MaxImportBytes is the largest file /sms import takes
	// (SMSBOT_MAX_IMPORT_BYTES; default DefaultMaxImportBytes).
	MaxImportBytes int64
	// Leases and ProgressRefs, when both are set, let the replicas
	// sharing one database show each broadcast's progress in one message:
	// the replica holding the lease "progress:<id>" edits the message
	// ProgressRefs records, and another takes over when it stops (see
	// Resume). Only SharedConversations take part. Unset: each process
	// edits the messages it posted, as one process does. The leases'
	// clock must be Clock.
	Leases       Leases
	ProgressRefs ProgressRefs
	// Polls, when set, enables /sms poll, /sms polls and the
	// poll:<id>=<option> selectors.
	Polls Polls
	// AdoptEvery is how often Resume's conversations look for progress
	// messages that no replica edits (default 3s).
	AdoptEvery time.Duration
}

// Router runs /sms commands and button clicks. It is safe for concurrent
// use.
type Router struct {
	cfg    Config
	engine Engine
	dir    Directory
	clock  clockwork.Clock
	log    *slog.Logger
	access access

	uploads uploads // imports waiting for a file

	ctx      context.Context // cancelled by Close: progress watchers stop
	cancel   context.CancelFunc
	watchers sync.WaitGroup
	mu       sync.Mutex
	watching map[int64]*lease.Lease // followed broadcasts, with their progress lease (nil without Leases)
	adopting map[string]bool        // platforms whose progress messages are adopted
	tallies  map[int64]bool         // polls whose tally this router follows
	// taking serializes taking progress leases: two takers at once in one
	// process would each get a token, and the first lose its lease.
	taking sync.Mutex
}

// New returns a Router.
func New(cfg Config) *Router {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	cfg.Clock = cmp.Or[clockwork.Clock](cfg.Clock, clockwork.NewRealClock())
	cfg.Region = cmp.Or(cfg.Region, broadcast.DefaultRegion)
	cfg.ProgressEvery = cmp.Or(cfg.ProgressEvery, 2*time.Second)
	cfg.AdoptEvery = cmp.Or(cfg.AdoptEvery, 3*time.Second)
	cfg.DefaultRate = cmp.Or(cfg.DefaultRate, 1)
	cfg.MaxImportBytes = cmp.Or(cfg.MaxImportBytes, DefaultMaxImportBytes)
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Router{
		cfg: cfg, engine: cfg.Engine, dir: cfg.Directory, clock: cfg.Clock,
		log:    cfg.Logger.With("component", "bot"),
		access: newAccess(cfg.Admins, cfg.Approvers),
		ctx:    ctx, cancel: cancel, watching: map[int64]*lease.Lease{},
		adopting: map[string]bool{}, tallies: map[int64]bool{},
	}
}

// Close stops the progress watchers, letting each show its newest state.
func (r *Router) Close() {
	r.cancel()
	r.watchers.Wait()
}

// Invocation is one /sms command typed by a user.
type Invocation struct {
	User    string // the platform's user ID
	Channel string
	Text    string // what follows "/sms"
	// Files opens files named in the command (console paths, Slack
	// links); nil when the platform has none.
	Files Files
	// Uploads is set when the user can upload a file right after the
	// command (Slack), for /sms import <list> without a file.
	Uploads bool
}

// Click is one button press.
type Click struct {
	User   string
	Action string // the Button's Action
	// Message is the message that carried the button.
	Message Ref
}

// Ref identifies a posted message, so it can be edited.
type Ref string

// Conversation is a channel as an adapter shows it. Post adds a message;
// Update replaces a posted one (adapters that cannot edit may post anew).
type Conversation interface {
	Post(ctx context.Context, m Message) (Ref, error)
	Update(ctx context.Context, ref Ref, m Message) error
}
