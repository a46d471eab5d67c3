package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// MaxSkew is how far a request's timestamp may be from now; older
// requests are refused as possible replays.
const MaxSkew = 5 * time.Minute

// Errors of Verify.
var (
	ErrMissingSignature = errors.New("slack: missing X-Slack-Signature or X-Slack-Request-Timestamp")
	ErrStaleTimestamp   = errors.New("slack: request timestamp is more than 5 minutes from now")
	ErrBadSignature     = errors.New("slack: signature does not match")
)

// Verify checks a request from Slack: X-Slack-Signature must be
// "v0=" + hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body)), and
// X-Slack-Request-Timestamp within MaxSkew of now. See
// https://api.slack.com/authentication/verifying-requests-from-slack.
func Verify(secret string, h http.Header, body []byte, now time.Time) error {
	sig, ts := h.Get("X-Slack-Signature"), h.Get("X-Slack-Request-Timestamp")
	if sig == "" || ts == "" {
		return ErrMissingSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrMissingSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > MaxSkew || d < -MaxSkew {
		return ErrStaleTimestamp
	}
	if !hmac.Equal([]byte(sig), []byte(Sign(secret, ts, body))) {
		return ErrBadSignature
	}
	return nil
}

// Sign returns the X-Slack-Signature of body sent at timestamp ts (Unix
// seconds, as text).
func Sign(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}
