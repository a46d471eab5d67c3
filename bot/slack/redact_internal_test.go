package slack

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestRedactCutsURLsToTheirHost(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"https://hooks.slack.com/commands/T0EVENT/123/SECRET", "https://hooks.slack.com/…"},
		{"wss://wss-primary.slack.com/link/?ticket=SECRET&app_id=A1", "wss://wss-primary.slack.com/…"},
		{"https://files.slack.com/upload/v1/SECRET", "https://files.slack.com/…"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"https://user:SECRET@example.com/", "https://example.com"},
	} {
		if got := redactText("Post \"" + tt.in + "\": EOF"); got != "Post \""+tt.want+"\": EOF" {
			t.Errorf("%s: %s", tt.in, got)
		}
	}
	inner := &url.Error{Op: "Post", URL: "https://hooks.slack.com/commands/T0EVENT/123/SECRET", Err: errors.New("EOF")}
	err := redact(fmt.Errorf("failed to post webhook: %w", inner))
	if strings.Contains(err.Error(), "SECRET") {
		t.Fatalf("redacted: %v", err)
	}
	var ue *url.Error
	if !errors.As(err, &ue) || strings.Contains(ue.URL, "SECRET") {
		t.Fatalf("the wrapped *url.Error still holds %q", ue.URL)
	}
	if redact(nil) != nil {
		t.Fatal("redact(nil) is not nil")
	}
}
