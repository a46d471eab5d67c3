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
	StatusQueued      = "queued"
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
	Status              string // StatusQueued on create, StatusReceived for inbound; see SetStatus
	ErrorCode           int    // 0 means none (JSON null)
	DateCreated         time.Time
	DateSent            time.Time // equal to DateCreated
	DateUpdated         time.Time // DateCreated, or the time of the last SetStatus
	NumSegments         int       // informative only; see segments
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
// creation order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.msgs))
	for i, m := range s.msgs {
		out[i] = m.clone()
	}
	return out
}

// Outbound returns copies of the stored outbound messages, in creation
// order.
func (s *Server) Outbound() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.msgs {
		if m.Direction == DirectionOutbound {
			out = append(out, m.clone())
		}
	}
	return out
}

// Find returns a copy of the message with the given SID.
func (s *Server) Find(sid string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
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
	})
}

// SetStatus sets the status and error code (0 for none) of a stored message,
// as Twilio does when a carrier reports back, and stamps DateUpdated. It
// returns an error if no message has that SID. It does not call any
// StatusCallback.
func (s *Server) SetStatus(sid, status string, errorCode int) error {
	now := s.cfg.Now().UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.bySID[sid]
	if !ok {
		return fmt.Errorf("twiliotest: set status of %s: no such message", sid)
	}
	s.msgs[i].Status = status
	s.msgs[i].ErrorCode = errorCode
	s.msgs[i].DateUpdated = now
	return nil
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
	s.mu.Lock()
	m := s.insert(Message{
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
		DateSent:            now,
		DateUpdated:         now,
		NumSegments:         segments(req.Body),
	})
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
func newSID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return "SM" + hex.EncodeToString(b[:])
}
