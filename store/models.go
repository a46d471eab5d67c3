package store

import (
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"smsbot/broadcast"
)

// The Bun models mirror the tables of migrations/; the broadcast package's
// types are what the rest of smsbot sees.

type senderRow struct {
	bun.BaseModel `bun:"table:senders"`

	ID        int64        `bun:"id,pk,autoincrement"`
	Address   string       `bun:"address"`
	Rate      float64      `bun:"rate"`
	Enabled   bool         `bun:"enabled"`
	CreatedAt time.Time    `bun:"created_at"`
	RemovedAt bun.NullTime `bun:"removed_at"`
}

func (r senderRow) domain() broadcast.Sender {
	return broadcast.Sender{ID: r.ID, Address: r.Address, Rate: r.Rate, Enabled: r.Enabled, CreatedAt: r.CreatedAt}
}

type contactRow struct {
	bun.BaseModel `bun:"table:contacts"`

	ID            int64      `bun:"id,pk,autoincrement"`
	Phone         string     `bun:"phone"`
	Name          string     `bun:"name"`
	OptedOutAt    *time.Time `bun:"opted_out_at"`
	InvalidReason string     `bun:"invalid_reason"`
	Fields        string     `bun:"fields"`
	CreatedAt     time.Time  `bun:"created_at"`
}

func (r contactRow) domain() broadcast.Contact {
	c := broadcast.Contact{ID: r.ID, Phone: r.Phone, Name: r.Name, OptedOutAt: r.OptedOutAt, InvalidReason: r.InvalidReason, CreatedAt: r.CreatedAt}
	if r.Fields != "" && r.Fields != "{}" {
		_ = json.Unmarshal([]byte(r.Fields), &c.Fields) // written by us as a JSON object
	}
	return c
}

type listRow struct {
	bun.BaseModel `bun:"table:lists"`

	ID        int64     `bun:"id,pk,autoincrement"`
	Name      string    `bun:"name"`
	CreatedAt time.Time `bun:"created_at"`
	Members   int       `bun:"members,scanonly"`
}

type membershipRow struct {
	bun.BaseModel `bun:"table:memberships"`

	ListID    int64     `bun:"list_id,pk"`
	ContactID int64     `bun:"contact_id,pk"`
	AddedAt   time.Time `bun:"added_at"`
}

type broadcastRow struct {
	bun.BaseModel `bun:"table:broadcasts,alias:b"`

	ID          int64      `bun:"id,pk,autoincrement"`
	Body        string     `bun:"body"`
	ListID      int64      `bun:"list_id"`
	ListName    string     `bun:"list_name,scanonly"`
	Status      string     `bun:"status"`
	RequestedBy string     `bun:"requested_by"`
	ApprovedBy  string     `bun:"approved_by"`
	Segments    int        `bun:"segments"`
	Encoding    string     `bun:"encoding"`
	Queued      bool       `bun:"queued"`
	CreatedAt   time.Time  `bun:"created_at"`
	ApprovedAt  *time.Time `bun:"approved_at"`
	StartedAt   *time.Time `bun:"started_at"`
	FinishedAt  *time.Time `bun:"finished_at"`
	GroupPoll   *int64     `bun:"group_poll"`
	GroupOption int        `bun:"group_option"`
}

func (r broadcastRow) domain() broadcast.Broadcast {
	return broadcast.Broadcast{
		ID: r.ID, Body: r.Body, ListID: r.ListID, ListName: r.ListName, Status: broadcast.Status(r.Status),
		RequestedBy: r.RequestedBy, ApprovedBy: r.ApprovedBy, Segments: r.Segments,
		Encoding: broadcast.Encoding(r.Encoding), Queued: r.Queued, CreatedAt: r.CreatedAt,
		ApprovedAt: r.ApprovedAt, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt,
		Group: groupOf(r.GroupPoll, r.GroupOption),
	}
}

type messageRow struct {
	bun.BaseModel `bun:"table:messages,alias:m"`

	ID             int64      `bun:"id,pk,autoincrement"`
	BroadcastID    int64      `bun:"broadcast_id"`
	ContactID      int64      `bun:"contact_id"`
	ToPhone        string     `bun:"to_phone"`
	SenderID       *int64     `bun:"sender_id"`
	Status         string     `bun:"status"`
	ProviderSID    *string    `bun:"provider_sid"`
	ErrorCode      string     `bun:"error_code"`
	ErrorText      string     `bun:"error_text"`
	Attempts       int        `bun:"attempts"`
	Segments       int        `bun:"segments"`
	NextAttemptAt  time.Time  `bun:"next_attempt_at"`
	FirstAttemptAt *time.Time `bun:"first_attempt_at"`
	LastAttemptAt  *time.Time `bun:"last_attempt_at"`
	SentAt         *time.Time `bun:"sent_at"`
	DeliveredAt    *time.Time `bun:"delivered_at"`
	UpdatedAt      time.Time  `bun:"updated_at"`
}

type assignmentRow struct {
	bun.BaseModel `bun:"table:assignments"`

	ContactID  int64     `bun:"contact_id,pk"`
	SenderID   int64     `bun:"sender_id"`
	AssignedAt time.Time `bun:"assigned_at"`
}

type auditEntry struct {
	bun.BaseModel `bun:"table:audit_log"`

	ID      int64     `bun:"id,pk,autoincrement"`
	At      time.Time `bun:"at"`
	Actor   string    `bun:"actor"`
	Action  string    `bun:"action"`
	Subject string    `bun:"subject"`
	Detail  string    `bun:"detail"`
}
