package inbound

import (
	"errors"
	"fmt"
	"net/url"
	"testing"
)

func TestSafeErr(t *testing.T) {
	ue := &url.Error{Op: "Get", URL: "https://hooks.slack.com/actions/T1/B2/xoxsecret?token=abc", Err: errors.New("timeout")}
	tests := []struct {
		err  error
		want string
	}{
		{errors.New("twilio: 21211 The 'To' number +12065550001 is not a valid phone number"),
			"twilio: 21211 The 'To' number [number] is not a valid phone number"},
		{errors.New("texts to 4915112345678: refused"), "texts to [number]: refused"},
		{errors.New("sid SM0123456789abcdef0123456789abcdef code 30003 at 2026-12-01"),
			"sid SM0123456789abcdef0123456789abcdef code 30003 at 2026-12-01"},
		{fmt.Errorf("relay: %w", ue), `relay: Get https://hooks.slack.com/…: timeout`},
		{errors.Join(errors.New("a"), fmt.Errorf("b: %w", ue)), "a\nb: Get https://hooks.slack.com/…: timeout"},
		{&url.Error{Op: "Post", URL: "::not a url", Err: errors.New("x")}, "Post (a URL): x"},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := safeErr(tt.err); got != tt.want {
			t.Errorf("safeErr(%v)\n = %q\nwant %q", tt.err, got, tt.want)
		}
	}
}
