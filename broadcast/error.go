package broadcast

import (
	"errors"
	"fmt"
)

// Error codes. Adapters turn them into chat replies and HTTP statuses.
const (
	ECONFLICT  = "conflict"  // the action clashes with current state (already approved, finished…)
	EINTERNAL  = "internal"  // a bug or an infrastructure failure; details are logged, not shown
	EINVALID   = "invalid"   // the input is wrong; the message says how to fix it
	ENOTFOUND  = "not_found" // a named thing (list, broadcast, number) does not exist
	EFORBIDDEN = "forbidden" // the user may not do this
)

// Error is the one error type of smsbot's core. Message is written for the
// organizer: one line, saying what is wrong and what to do about it.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("smsbot error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the organizer-facing message of the first *Error in
// err's chain, or "internal error" for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
