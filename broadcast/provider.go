package broadcast

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Outgoing is one text to hand to a Provider.
type Outgoing struct {
	From Sender
	To   string
	Body string
}

// Sent is a message the provider already has, as returned by Lookup.
type Sent struct {
	SID     string
	To      string
	Body    string
	Created time.Time
}

// Provider delivers texts: Twilio in production, a simulated carrier in the
// console and in tests.
//
// Send returns the provider's message SID, or an error. Errors that are not
// a *SendError are treated as ambiguous: the engine cannot know whether the
// provider accepted the message and reconciles before any retry.
//
// Lookup lists the messages the provider accepted from sender to to,
// created on or after since (providers may widen since to a whole day).
// The engine uses it to reconcile rows whose send may or may not have
// happened.
type Provider interface {
	Send(ctx context.Context, m Outgoing) (sid string, err error)
	Lookup(ctx context.Context, from Sender, to string, since time.Time) ([]Sent, error)
}

// ErrorClass says what the engine may do after a failed send.
type ErrorClass int

// Error classes.
const (
	// Retryable: the provider surely did not accept the message (HTTP 429,
	// or a connection refused before the request was written). A 5xx is
	// not: a gateway may answer it after the provider stored the message.
	Retryable ErrorClass = iota + 1
	// Ambiguous: the request was written but no usable answer came
	// (timeout, reset, 5xx, a body that is not the provider's). The message
	// may or may not exist; reconcile before retrying.
	Ambiguous
	// Permanent: the provider refused the message; retrying will not help.
	Permanent
)

func (c ErrorClass) String() string {
	switch c {
	case Retryable:
		return "retryable"
	case Ambiguous:
		return "ambiguous"
	case Permanent:
		return "permanent"
	}
	return "unknown"
}

// ContactEffect is what a permanent error says about the recipient.
type ContactEffect int

// Contact effects of a permanent error.
const (
	NoEffect     ContactEffect = iota
	FlagInvalid                // the number is invalid or unreachable: flag the contact
	MarkOptedOut               // the recipient opted out at the carrier: mark the contact
)

// SendError is a classified send failure.
type SendError struct {
	Class      ErrorClass
	Code       string        // provider error code, e.g. "21211"; may be empty
	Message    string        // provider's description, for the organizer
	RetryAfter time.Duration // from a Retry-After header, when given
	Effect     ContactEffect // for Permanent errors
	// Halt says the provider will refuse every text (its credentials are
	// wrong): the engine pauses the broadcast instead of failing each text.
	Halt bool
	// Throttled says the provider refused the call as one too many in
	// flight for the account (Twilio's 20429): nothing was done, and the
	// Gate's cap shrinks. Such errors are Retryable.
	Throttled bool
	Err       error // underlying error, if any
}

// Error implements the error interface.
func (e *SendError) Error() string {
	s := e.Class.String()
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += fmt.Sprintf(" (%v)", e.Err)
	}
	return s
}

// Unwrap returns the underlying error.
func (e *SendError) Unwrap() error { return e.Err }

// classify returns err as a *SendError, treating unknown errors as
// ambiguous: when in doubt, the engine reconciles rather than resends.
func classify(err error) *SendError {
	var se *SendError
	if errors.As(err, &se) {
		return se
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &SendError{Class: Ambiguous, Message: "interrupted", Err: err}
	}
	return &SendError{Class: Ambiguous, Message: "unclassified error", Err: err}
}
