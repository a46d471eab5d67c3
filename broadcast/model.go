package broadcast

import (
	"strings"
	"time"
)

// Sender is a Twilio "from": an E.164 number or a Messaging Service SID
// (MG…). Rate is its pace in segments per second.
type Sender struct {
	ID        int64
	Address   string
	Rate      float64
	Enabled   bool
	CreatedAt time.Time
}

// IsService reports whether the sender is a Messaging Service SID rather
// than a phone number.
func (s Sender) IsService() bool { return IsServiceSID(s.Address) }

// IsServiceSID reports whether addr looks like a Messaging Service SID.
func IsServiceSID(addr string) bool {
	return len(addr) == 34 && strings.HasPrefix(addr, "MG")
}

// Contact is a person who can be texted. Phone is E.164 and unique.
type Contact struct {
	ID            int64
	Phone         string
	Name          string
	OptedOutAt    *time.Time
	InvalidReason string
	// Fields are the other columns of the file the contact was imported
	// from, by snake_case column name: merge fields.
	Fields    map[string]string
	CreatedAt time.Time
}

// List is a named set of contacts.
type List struct {
	ID        int64
	Name      string
	Members   int
	CreatedAt time.Time
}

// MemberResult says what adding a contact to a list changed.
type MemberResult struct {
	List           List
	Contact        Contact
	ListCreated    bool
	ContactCreated bool
	// Added is false when the contact was already on the list.
	Added bool
	// Renamed is set when the add gave a known contact a new name;
	// PreviousName is the name it had.
	Renamed      bool
	PreviousName string
}

// Status is the state of a broadcast.
type Status string

// Broadcast statuses. Pending waits for approval; Sending and Paused are
// unfinished (resumed at start); the rest are final.
const (
	StatusPending   Status = "pending"
	StatusSending   Status = "sending"
	StatusPaused    Status = "paused"
	StatusCancelled Status = "cancelled"
	StatusCompleted Status = "completed"
)

// Final reports whether no more texts will be sent for a broadcast in s.
func (s Status) Final() bool { return s == StatusCancelled || s == StatusCompleted }

// Broadcast is one announcement to one list.
type Broadcast struct {
	ID          int64
	Body        string
	ListID      int64
	ListName    string
	Status      Status
	RequestedBy string
	ApprovedBy  string
	Segments    int
	Encoding    Encoding
	// Queued is set once every outbox row has been written.
	Queued     bool
	CreatedAt  time.Time
	ApprovedAt *time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time
	// Group, when not whole, narrows the list to a poll's answer group.
	Group Group
	// Question is set on a broadcast being created as a poll; stored
	// broadcasts leave it nil (see Store.Poll).
	Question *Question
}

// MessageStatus is the state of one outbox row.
type MessageStatus string

// Outbox statuses. Queued and Sending are open; the rest are final except
// Sent, which a delivery receipt may still turn into Delivered or
// Undelivered.
const (
	MsgQueued      MessageStatus = "queued"
	MsgSending     MessageStatus = "sending"
	MsgSent        MessageStatus = "sent"
	MsgDelivered   MessageStatus = "delivered"
	MsgUndelivered MessageStatus = "undelivered"
	MsgFailed      MessageStatus = "failed"
	MsgSkipped     MessageStatus = "skipped"
)

// Message is one outbox row: one text of one broadcast to one contact.
type Message struct {
	ID          int64
	BroadcastID int64
	ContactID   int64
	To          string
	SenderID    int64
	Status      MessageStatus
	ProviderSID string
	ErrorCode   string
	ErrorText   string
	Attempts    int
	Segments    int
	// Body is the row's own text when merge fields personalize it; ""
	// means the broadcast's body.
	Body string
	// FirstAttemptAt is when the row was first claimed; reconciliation
	// looks for provider messages created after it.
	FirstAttemptAt *time.Time
	SentAt         *time.Time

	// token is the fencing token of the sender lease the row was claimed
	// (or is reconciled) under; its outcome carries it.
	token int64
}
