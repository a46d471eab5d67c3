package broadcast

import (
	"fmt"
	"time"
)

// Question is the poll a broadcast asks: its recipients answer by text
// (see package poll), and the poll's ID is its broadcast's.
type Question struct {
	Text    string
	Options []string // 2 to 9 labels, as the organizer typed them
	// ClosesAt, when set, is when answers stop counting.
	ClosesAt *time.Time
	// Confirm, when not "", is texted back to each answer, with
	// "{answer}" replaced by the chosen option's label.
	Confirm string
}

// Group selects part of a list by a poll's answers: the contacts whose
// answer to Poll is Option (1 to 9), or with Option 0 those who got the
// poll and have not answered it. The zero Group selects the whole list.
type Group struct {
	Poll   int64
	Option int
}

// Whole reports whether g selects the whole list.
func (g Group) Whole() bool { return g.Poll == 0 }

// String is the group as /sms commands name it: "poll:4=2", "poll:4=none".
func (g Group) String() string {
	if g.Whole() {
		return ""
	}
	if g.Option == 0 {
		return fmt.Sprintf("poll:%d=none", g.Poll)
	}
	return fmt.Sprintf("poll:%d=%d", g.Poll, g.Option)
}

// Target is who a broadcast texts: a list's members, or the part of it a
// Group selects.
type Target struct {
	ListID int64
	Group  Group
}

// Target is who b texts.
func (b Broadcast) Target() Target { return Target{ListID: b.ListID, Group: b.Group} }

// Poll is a poll as stored, with its broadcast.
type Poll struct {
	ID       int64 // its broadcast's ID
	Question Question
	ClosedAt *time.Time
	ClosedBy string
}

// Open reports whether answers to p still count at now.
func (p Poll) Open(now time.Time) bool {
	return p.ClosedAt == nil && (p.Question.ClosesAt == nil || now.Before(*p.Question.ClosesAt))
}

// OpenAt reports whether a text sent at t answers p: before it was closed
// and before its closing time. Unlike Open, a poll closed since still
// counts a text sent before, which a poller may read late.
func (p Poll) OpenAt(t time.Time) bool {
	return (p.ClosedAt == nil || t.Before(*p.ClosedAt)) && (p.Question.ClosesAt == nil || t.Before(*p.Question.ClosesAt))
}

// Tally is a poll's answers counted: Counts[i] answered option i+1.
// Recipients is how many got the poll (sent or delivered);
// Unanswered those of them who have not answered.
type Tally struct {
	Poll       Poll
	Counts     []int
	Answered   int
	Recipients int
	Unanswered int
	// Changed is when the newest answer came, zero if none.
	Changed time.Time
}

// PollAnswer is one contact's answer, for exports.
type PollAnswer struct {
	Contact    Contact
	Option     int // 0: not answered
	Raw        string
	AnsweredAt *time.Time
	FirstAt    *time.Time
	SentAt     *time.Time // when the poll's text was sent to them
}
