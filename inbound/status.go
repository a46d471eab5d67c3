package inbound

import (
	"context"
	"fmt"
	"time"

	"smsbot/broadcast"
)

// StatusUpdate is a delivery receipt for one of our texts.
type StatusUpdate struct {
	SID       string
	Status    broadcast.MessageStatus // Delivered, Undelivered or Failed
	ErrorCode string
	ErrorText string
	Effect    broadcast.ContactEffect
	At        time.Time
}

// ParseStatus maps a Twilio MessageStatus and ErrorCode to an update. It
// reports false for statuses that are not final (queued, sending, sent…):
// they change nothing, so an early one arriving late cannot undo a final one.
// An ErrorCode that is not a number of at most six digits is dropped.
func ParseStatus(sid, status, errorCode string, at time.Time) (StatusUpdate, bool) {
	errorCode = cleanCode(errorCode)
	u := StatusUpdate{SID: sid, ErrorCode: errorCode, At: at}
	switch status {
	case "delivered", "read":
		u.Status = broadcast.MsgDelivered
	case "undelivered":
		u.Status = broadcast.MsgUndelivered
	case "failed":
		u.Status = broadcast.MsgFailed
	default:
		return u, false
	}
	if errorCode != "" && errorCode != "0" {
		e := broadcast.ExplainCarrierError(errorCode)
		u.ErrorText, u.Effect = e.Summary, e.Effect
	} else {
		u.ErrorCode = ""
	}
	return u, true
}

// Status records a delivery receipt: the outbox row (or chat reply) with
// that SID becomes delivered, undelivered or failed, unless it already is;
// 21610 opts the contact out and 21211, 21614, 30005 and 30006 flag
// it with the reason.
func (s *Service) Status(ctx context.Context, u StatusUpdate) error {
	changed, err := s.store.ApplyStatus(ctx, u)
	if err != nil {
		return fmt.Errorf("delivery receipt %s: %w", u.SID, err)
	}
	s.log.Debug("delivery receipt", "sid", u.SID, "status", string(u.Status), "code", u.ErrorCode, "changed", changed)
	return nil
}
