package slack_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"smsbot/bot/slack"
)

// Slack's documented example:
// https://api.slack.com/authentication/verifying-requests-from-slack
const (
	docSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	docTS     = "1531420618"
	docBody   = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	docSig    = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

func TestVerify(t *testing.T) {
	sent := time.Unix(1531420618, 0)
	header := func(sig, ts string) http.Header {
		h := http.Header{}
		if sig != "" {
			h.Set("X-Slack-Signature", sig)
		}
		if ts != "" {
			h.Set("X-Slack-Request-Timestamp", ts)
		}
		return h
	}
	tests := []struct {
		name string
		h    http.Header
		body string
		now  time.Time
		want error
	}{
		{"documented example", header(docSig, docTS), docBody, sent.Add(30 * time.Second), nil},
		{"4m59s late", header(docSig, docTS), docBody, sent.Add(MaxSkewMinus), nil},
		{"stale timestamp", header(docSig, docTS), docBody, sent.Add(5*time.Minute + time.Second), slack.ErrStaleTimestamp},
		{"from the future", header(docSig, docTS), docBody, sent.Add(-6 * time.Minute), slack.ErrStaleTimestamp},
		{"changed body", header(docSig, docTS), docBody + "&x=1", sent, slack.ErrBadSignature},
		{"wrong signature", header("v0=00"+docSig[5:], docTS), docBody, sent, slack.ErrBadSignature},
		{"changed timestamp", header(docSig, "1531420619"), docBody, sent, slack.ErrBadSignature},
		{"no signature", header("", docTS), docBody, sent, slack.ErrMissingSignature},
		{"no timestamp", header(docSig, ""), docBody, sent, slack.ErrMissingSignature},
		{"garbage timestamp", header(docSig, "soon"), docBody, sent, slack.ErrMissingSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := slack.Verify(docSecret, tt.h, []byte(tt.body), tt.now); !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
	if got := slack.Sign(docSecret, docTS, []byte(docBody)); got != docSig {
		t.Fatalf("Sign = %s, want %s", got, docSig)
	}
}

const MaxSkewMinus = slack.MaxSkew - time.Second
