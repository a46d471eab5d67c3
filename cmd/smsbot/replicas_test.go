package main

import (
	"net/http"
	"testing"

	"smsbot/broadcast/twilio/twiliotest"
	"smsbot/store/storetest"
)

// TestReplicasShareThePoller runs two replicas on one PostgreSQL schema:
// exactly one polls Twilio, and when it shuts down the other takes the
// poller lease, with a larger fencing token.
func TestReplicasShareThePoller(t *testing.T) {
	dsn := storetest.Postgres(t)
	fake := twiliotest.NewServer(twiliotest.Config{})
	t.Cleanup(fake.Close)
	env := pollingEnv(fake)
	env["SMSBOT_DB"] = dsn
	a := startReplica(t, env)
	b := startReplica(t, env)

	// The first to try takes the lease; the other keeps trying.
	took := make(chan *inReplica, 2)
	for _, r := range []*inReplica{a, b} {
		go func() {
			select {
			case <-r.logs.seen(`msg="acquired lease"`, "lease=poller"):
				took <- r
			case <-replicaTimeout():
			}
		}()
	}
	var holder, other *inReplica
	select {
	case holder = <-took:
	case <-replicaTimeout():
		t.Fatal("neither replica took the poller lease")
	}
	other = a
	if holder == a {
		other = b
	}
	_, hh := holder.health()
	_, oh := other.health()
	if hh.Owner == oh.Owner {
		t.Fatalf("both replicas are %s", hh.Owner)
	}
	for _, h := range []health{hh, oh} {
		if h.Database != "ok" || !h.Ready {
			t.Errorf("/healthz of %s = %+v", h.Owner, h)
		}
		if !healthLists(h, replicaPrefix+h.Owner) {
			t.Errorf("/healthz of %s: no replica lease in %+v", h.Owner, h.Leases)
		}
	}
	if !healthLists(hh, pollerLease) || healthLists(oh, pollerLease) {
		t.Fatalf("poller lease: holder %+v, other %+v; want it on the holder alone", hh.Leases, oh.Leases)
	}
	_, first := holder.holds(pollerLease)

	// The holder stops: it releases the lease, and the other takes it.
	holder.stop()
	other.waitLog(`msg="acquired lease"`, "lease=poller")
	ok, token := other.holds(pollerLease)
	if !ok || token <= first {
		t.Fatalf("after the holder stopped: poller held %v with token %d, want a token above %d", ok, token, first)
	}
	if code, h := other.health(); code != http.StatusOK || h.Owner != oh.Owner {
		t.Errorf("/healthz of the survivor = %d %+v", code, h)
	}
}

func healthLists(h health, name string) bool {
	for _, l := range h.Leases {
		if l.Name == name {
			return true
		}
	}
	return false
}
