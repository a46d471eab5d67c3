package discord_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"smsbot/bot/bottest"
	"smsbot/broadcast"
)

// withCrew makes alice's number and a crew of one, Ada.
func withCrew(t *testing.T, c *chat) {
	t.Helper()
	for _, cmd := range []string{"numbers add +12065550101 50", "add crew +12065550001 Ada"} {
		c.Type(t, "alice", cmd)
		c.WaitFor(t, "+1206555")
	}
}

// signed is an interaction's body with its signature headers, to deliver
// as it is, again.
type signed struct {
	body    []byte
	sig, ts string
}

func (c *chat) signed(t *testing.T, ix map[string]any) signed {
	t.Helper()
	body, err := json.Marshal(ix)
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(c.clock.Now().Unix(), 10)
	return signed{body, c.sign(ts, body), ts}
}

// The same signed request delivered twice within the signature's window
// (a replay) is answered as Discord expects and acted on once: a reply
// texts once, a click acts once. Once the window is over, the replay is
// refused as stale.
func TestDiscordReplayedInteractionActsOnce(t *testing.T) {
	c := newChat(t, bottest.Setup{Admins: []string{"alice"}})
	withCrew(t, c)

	reply := c.signed(t, c.command(t, "alice", staffID, "reply +12065550001 Room B"))
	for i := range 2 {
		c.clock.Advance(time.Minute)
		code, body := c.request(t, reply.body, reply.sig, reply.ts)
		if typ, flags := answer(t, body); code != http.StatusOK || typ != 5 || flags != 64 {
			t.Fatalf("delivery %d answered %d %s, want a deferred ephemeral response", i+1, code, body)
		}
	}
	c.adapter.Close()
	if sent := c.Sent(); len(sent) != 1 {
		t.Fatalf("a replayed reply texted %d times: %+v", len(sent), sent)
	}

	c.Type(t, "alice", "send crew Dinner")
	preview := c.fake.waitFor(t, c.cursor, "waiting for approval", "post")
	cancel := c.signed(t, c.click(t, "alice", staffID, preview.id, "cancel:1"))
	from := c.fake.count()
	for i := range 2 {
		if code, body := c.request(t, cancel.body, cancel.sig, cancel.ts); code != http.StatusOK || body != `{"type":6}` {
			t.Fatalf("click %d answered %d %s, want a deferred update", i+1, code, body)
		}
	}
	c.adapter.Close()
	var answers []shown
	all, _ := c.fake.since(from)
	for _, s := range all {
		if s.kind != "delete" { // of /sms send's deferred response
			answers = append(answers, s)
		}
	}
	if len(answers) != 1 || !strings.Contains(answers[0].text, "cancelled") {
		t.Fatalf("a replayed Cancel acted %d times: %+v", len(answers), answers)
	}

	// After the window, the replay is stale.
	c.clock.Advance(6 * time.Minute)
	if code, body := c.request(t, reply.body, reply.sig, reply.ts); code != http.StatusUnauthorized {
		t.Fatalf("a stale replay answered %d %s", code, body)
	}
}

// An interaction the gateway delivers twice (a resumed session replays
// events) is acknowledged and acted on once.
func TestDiscordGatewayRedeliveryActsOnce(t *testing.T) {
	c, a := newGateway(t, bottest.Setup{Admins: []string{"alice"}})
	withCrew(t, c)
	ev := event(t, c.command(t, "alice", staffID, "reply +12065550001 Room B"))
	a.GatewayInteraction(ev)
	c.clock.Advance(time.Minute)
	a.GatewayInteraction(ev)
	a.Close()
	c.fake.mu.Lock()
	callbacks := c.fake.callbacks
	c.fake.mu.Unlock()
	if sent := c.Sent(); len(sent) != 1 || callbacks != 1 {
		t.Fatalf("a redelivered reply texted %d times, with %d callbacks", len(sent), callbacks)
	}
}

// A click from another channel than the staff channel is refused, as
// commands are, and changes nothing, over HTTP and over the gateway.
func TestDiscordRefusesClicksOutsideStaffChannel(t *testing.T) {
	c, a := newGateway(t, bottest.Setup{Admins: []string{"alice"}})
	withCrew(t, c)
	c.Type(t, "alice", "send crew Dinner")
	preview := c.fake.waitFor(t, c.cursor, "waiting for approval", "post")
	const elsewhere = "1311000000000000777"

	code, body := c.deliver(t, c.click(t, "alice", elsewhere, preview.id, "cancel:1"))
	if typ, flags := answer(t, body); code != http.StatusOK || typ != 4 || flags != 64 || !strings.Contains(body, "only in") {
		t.Fatalf("a click from elsewhere answered %d %s, want an ephemeral refusal", code, body)
	}
	ix := c.click(t, "alice", elsewhere, preview.id, "cancel:1")
	a.GatewayInteraction(event(t, ix))
	if cb := callback(t, c, ix["id"]); cb["type"] != float64(4) {
		t.Fatalf("gateway click from elsewhere: callback %v", cb)
	}
	c.adapter.Close()
	a.Close()
	st, err := c.core.Engine.Status(context.Background(), 1)
	if err != nil || st.Broadcast.Status != broadcast.StatusPending {
		t.Fatalf("broadcast after clicks from elsewhere: %+v, %v", st.Broadcast, err)
	}
	// From the staff channel, the same click cancels.
	c.Click(t, "alice", "Cancel")
	c.WaitFor(t, "cancelled")
}
