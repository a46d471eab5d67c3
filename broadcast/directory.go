package broadcast

import "time"

// This file holds what the contact directory answers about lists and
// contacts to the commands that look at and manage them (/sms list,
// contact, forget, import undo).

// Member is a contact on a list, with the number that texts it.
type Member struct {
	Contact
	// Sender is the address of the contact's sticky sender, "" while it
	// has none (it gets one at its first broadcast).
	Sender string
}

// Direction says who wrote a text.
type Direction string

// Directions of a text.
const (
	Outbound Direction = "out" // to the contact: a broadcast or a staff reply
	Inbound  Direction = "in"  // from the contact
)

// Text is one text to or from a contact, as /sms contact shows it.
type Text struct {
	At        time.Time
	Direction Direction
	Body      string
	// Status is the outbox's state of an outbound text (sent, failed, …);
	// "" for an inbound one.
	Status string
	// BroadcastID is the broadcast an outbound text belonged to; 0 for a
	// staff reply or an inbound text.
	BroadcastID int64
}

// ContactDetails is what is known of one contact: its lists, its sender
// and its newest texts, newest first.
type ContactDetails struct {
	Contact Contact
	Lists   []string
	Sender  string
	Texts   []Text
}

// Forgotten says what forgetting a contact removed.
type Forgotten struct {
	ContactID int64
	// Lists are the lists the contact was taken off.
	Lists []string
	// Texts counts the outbox rows, staff replies and inbound texts whose
	// numbers and bodies were erased.
	Texts int
}

// ImportUndo says what undoing an import removed.
type ImportUndo struct {
	List string
	// At is when the undone import ran, and Actor who ran it.
	At    time.Time
	Actor string
	// Removed counts the memberships taken off the list; Deleted the
	// contacts the import had created that were on no other list, and
	// so were deleted.
	Removed int
	Deleted int
	// The contacts the import created that stay, by why: on another
	// list, opted out, or with texts (or a staff thread) that history
	// keeps.
	KeptOnLists, KeptOptedOut, KeptTexts int
}
