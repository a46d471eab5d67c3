package twiliotest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"
)

// Message directions and the statuses the fake sets by itself.
const (
	DirectionOutbound = "outbound-api"
	DirectionInbound  = "inbound"
	StatusQueued      = "queued"   // from a number, until Config.SendDelay has passed
	StatusAccepted    = "accepted" // from a Messaging Service, until Config.SendDelay has passed
	StatusSent        = "sent"
	StatusReceived    = "received"
)

// Message is one message as the fake stores it.
type Message struct {
	SID                 string // "SM" + 32 hex chars, unique
	AccountSID          string
	From                string // for MessagingServiceSid sends, Config.ServiceNumber
	To                  string
	Body                string
	MediaURLs           []string // MediaUrl parameters, in order
	MessagingServiceSID string
	StatusCallback      string
	Direction           string // DirectionOutbound or DirectionInbound
	// Status is StatusQueued or StatusAccepted on create, StatusSent
	// Config.SendDelay later, StatusReceived for inbound; see SetStatus.
	Status      string
	ErrorCode   int // 0 means none (JSON null)
	DateCreated time.Time
	// DateSent is zero (JSON null) while the message is queued or
	// accepted; then DateCreated + Config.SendDelay, or the time of the
	// SetStatus that ended the wait. For inbound, DateCreated.
	DateSent    time.Time
	DateUpdated time.Time // the last change: create, sent, or SetStatus
	NumSegments int       // informative only; see segments
	// Arrived is when the fake stored the message on the real clock
	// (time.Now, whatever Config.Now is): for outbound, as the create
	// request arrived, before its latency. It is not in the JSON; see
	// MaxInWindow.
	Arrived time.Time
}

// clone returns m with its own copy of MediaURLs.
func (m Message) clone() Message {
	m.MediaURLs = slices.Clone(m.MediaURLs)
	return m
}

// segments is a rough segment count: 1 up to 160 characters, then one per
// 153 characters. It ignores GSM-7 versus UCS-2.
func segments(body string) int {
	n := utf8.RuneCountInString(body)
	if n <= 160 {
		return 1
	}
	return 1 + (n-1)/153
}

// Messages returns copies of all stored messages, inbound and outbound, in
// creation order, as they are at the fake's Now.
func (s *Server) Messages() []Message {
	now := s.cfg.Now().UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(now)
	out := make([]Message, len(s.msgs))
	for i, m := range s.msgs {
		out[i] = m.clone()
	}
	return out
}

// Outbound returns copies of the stored outbound messages, in creation
// order, as they are at the fake's Now.
func (s *Server) Outbound() []Message {
	now := s.cfg.Now().UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(now)
	var out []Message
	for _, m := range s.msgs {
		if m.Direction == DirectionOutbound {
			out = append(out, m.clone())
		}
	}
	return out
}

// Find returns a copy of the message with the given SID, as it is at the
// fake's Now.
func (s *Server) Find(sid string) (Message, bool) {
	now := s.cfg.Now().UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(now)
	i, ok := s.bySID[sid]
	if !ok {
		return Message{}, false
	}
	return s.msgs[i].clone(), true
}

// AddInbound stores a message received by one of the account's numbers:
// Direction "inbound", Status "received", dated by the fake's clock. It is
// not sent to Created.
func (s *Server) AddInbound(from, to, body string, media ...string) Message {
	now := s.cfg.Now().UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.insert(Message{
		AccountSID:  s.cfg.AccountSID,
		From:        from,
		To:          to,
		Body:        body,
		MediaURLs:   slices.Clone(media),
		Direction:   DirectionInbound,
		Status:      StatusReceived,
		DateCreated: now,
		DateSent:    now,
		DateUpdated: now,
		NumSegments: segments(body),
		Arrived:     time.Now(),
	})
}

// SetStatus sets the status and error code (0 for none) of a stored message,
// as Twilio does when a carrier reports back, and stamps DateUpdated. A
// status past the queue (anything but queued, accepted, scheduled, sending
// and canceled) also sets DateSent to now if it is not set yet, and ends the
// SendDelay wait. It returns an error if no message has that SID. It does
// not call any StatusCallback.
func (s *Server) SetStatus(sid, status string, errorCode int) error {
	now := s.cfg.Now().UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(now)
	i, ok := s.bySID[sid]
	if !ok {
		return fmt.Errorf("twiliotest: set status of %s: no such message", sid)
	}
	m := &s.msgs[i]
	m.Status = status
	m.ErrorCode = errorCode
	m.DateUpdated = now
	switch status {
	case StatusQueued, StatusAccepted, "scheduled", "sending", "canceled":
	default:
		if m.DateSent.IsZero() {
			m.DateSent = now
		}
	}
	return nil
}

// advance sends the queued (or accepted, or sending) messages whose
// Config.SendDelay has passed at now: status sent, DateSent and
// DateUpdated at the end of the delay. The caller holds s.mu.
func (s *Server) advance(now time.Time) {
	keep := s.queued[:0]
	for _, i := range s.queued {
		m := &s.msgs[i]
		switch {
		case !m.DateSent.IsZero(), m.Status == "canceled", m.Status == "scheduled":
			continue // SetStatus took it out of the queue
		}
		at := m.DateCreated.Add(s.cfg.SendDelay)
		if now.Before(at) {
			keep = append(keep, i)
			continue
		}
		m.Status, m.DateSent, m.DateUpdated = StatusSent, at, at
	}
	s.queued = keep
}

// storeOutbound stores the message of a create request that passed every
// check, sends it to Created, and returns it with the Release channel that
// was current when it was stored.
func (s *Server) storeOutbound(req CreateRequest, media []string, callback string) (Message, <-chan struct{}) {
	now := s.cfg.Now().UTC()
	from := req.From
	if from == "" {
		from = s.cfg.ServiceNumber
	}
	m := Message{
		AccountSID:          s.cfg.AccountSID,
		From:                from,
		To:                  req.To,
		Body:                req.Body,
		MediaURLs:           slices.Clone(media),
		MessagingServiceSID: req.MessagingServiceSID,
		StatusCallback:      callback,
		Direction:           DirectionOutbound,
		Status:              StatusQueued,
		DateCreated:         now,
		DateUpdated:         now,
		NumSegments:         segments(req.Body),
		Arrived:             time.Now(),
	}
	if req.MessagingServiceSID != "" {
		m.Status = StatusAccepted
	}
	if s.cfg.SendDelay < 0 {
		m.Status, m.DateSent = StatusSent, now
	}
	s.mu.Lock()
	m = s.insert(m)
	if m.DateSent.IsZero() {
		s.queued = append(s.queued, s.bySID[m.SID])
	}
	release := s.release
	s.mu.Unlock()

	select {
	case s.created <- m.clone():
	default: // full: drop the signal, the message stays stored
	}
	return m, release
}

// insert gives m a fresh SID, appends it and returns a copy. The caller
// holds s.mu.
func (s *Server) insert(m Message) Message {
	for {
		m.SID = newSID()
		if _, taken := s.bySID[m.SID]; !taken {
			break
		}
	}
	s.bySID[m.SID] = len(s.msgs)
	s.msgs = append(s.msgs, m)
	return m.clone()
}

// newSID returns "SM" and 32 random hex digits.
func newSID() string { return "SM" + randomHex() }

// randomHex returns 32 random hex digits.
func randomHex() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}
