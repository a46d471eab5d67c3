//go:build unix

package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"smsbot/broadcast/twilio/twiliotest"
)

// create is one create request (a text) a replica sent to Twilio, as its
// proxy saw it on the way.
type tapCreate struct {
	replica  int
	from, to string
	at       time.Time
}

// twilioTap puts one reverse proxy per replica in front of the Twilio
// fake: each replica's TWILIO_API_URL is its own proxy, so the test knows
// which replica sent each text (the fake itself cannot tell), and so which
// replica held which sender when.
type twilioTap struct {
	fake    *twiliotest.Server
	proxies []*httptest.Server

	mu      sync.Mutex
	creates []tapCreate
}

func newTwilioTap(t testing.TB, fake *twiliotest.Server, replicas int) *twilioTap {
	t.Helper()
	target, err := url.Parse(fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	tap := &twilioTap{fake: fake}
	for i := range replicas {
		rp := httputil.NewSingleHostReverseProxy(target)
		// A killed replica's requests end with its connections: no log line.
		rp.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, _ error) { w.WriteHeader(http.StatusBadGateway) }
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/Messages.json") {
				body, err := io.ReadAll(r.Body)
				if err != nil {
					w.WriteHeader(http.StatusBadGateway)
					return
				}
				r.Body = io.NopCloser(bytes.NewReader(body))
				form, _ := url.ParseQuery(string(body))
				tap.mu.Lock()
				tap.creates = append(tap.creates, tapCreate{replica: i, from: form.Get("From"), to: form.Get("To"), at: time.Now()})
				tap.mu.Unlock()
			}
			rp.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		tap.proxies = append(tap.proxies, srv)
	}
	return tap
}

// url is replica i's TWILIO_API_URL.
func (tap *twilioTap) url(i int) string { return tap.proxies[i].URL }

// sent returns the create requests so far, in the order they were seen.
func (tap *twilioTap) sent() []tapCreate {
	tap.mu.Lock()
	defer tap.mu.Unlock()
	return slices.Clone(tap.creates)
}

// sentFrom returns the numbers replica i sent from in creates at or
// after since: with since a second ago, the senders it holds.
func sentFrom(creates []tapCreate, i int, since time.Time) map[string]bool {
	out := map[string]bool{}
	for _, c := range creates {
		if c.replica == i && !c.at.Before(since) {
			out[c.from] = true
		}
	}
	return out
}

// takeover returns, for each number in held, when a replica other than
// lost first sent from it after at (missing: never).
func takeover(creates []tapCreate, held map[string]bool, lost int, at time.Time) map[string]time.Time {
	first := map[string]time.Time{}
	for _, c := range creates {
		if _, seen := first[c.from]; held[c.from] && !seen && c.replica != lost && c.at.After(at) {
			first[c.from] = c.at
		}
	}
	return first
}

// checkOnce checks that Twilio stored exactly one text for each of want,
// with body, from one of from, and none to anyone else.
func checkOnce(t testing.TB, msgs []twiliotest.Message, want []string, from []string, body string) {
	t.Helper()
	byTo := map[string][]twiliotest.Message{}
	for _, m := range msgs {
		byTo[m.To] = append(byTo[m.To], m)
	}
	bad := 0
	for _, to := range want {
		got := byTo[to]
		delete(byTo, to)
		if len(got) == 1 && got[0].Body == body && slices.Contains(from, got[0].From) {
			continue
		}
		if bad++; bad <= 10 {
			var desc []string
			for _, m := range got {
				desc = append(desc, fmt.Sprintf("%s from %s at %s", m.SID, m.From, m.Arrived.Format("15:04:05.000")))
			}
			t.Errorf("%s got %d texts, want 1 from one of our senders with the body: %v", to, len(got), desc)
		}
	}
	if bad > 10 {
		t.Errorf("… %d recipients in all did not get exactly one text", bad)
	}
	for to, got := range byTo {
		t.Errorf("%d texts to %s, who is not on the list", len(got), to)
	}
}

// checkRates checks each sender's peak count in any window of 1 s and of
// 5 s, across every replica, from the times Twilio stored the texts
// (Arrived, on the real clock), and logs the peaks.
//
// Windows are half-open, [t, t+w), as MaxInWindow counts. The engine's
// Pacer (broadcast/pacer.go) books one segment every 1/rate and lets a
// text go up to its tolerance (broadcast.DefaultTolerance, 10 ms) early,
// so the texts it lets go in a window w are at most rate·(w + tolerance)
// plus one. Twilio sees them later than the pacer let them go, by a delay
// that varies (the client, the gate, this test's proxy and the fake share
// two cores with PostgreSQL and the replicas): a text held up by that
// jitter J and the next one on time arrive together. Measured on one
// replica and no fault, 21 consecutive texts of one sender arrived within
// 908–975 ms, with gaps down to 0 ms: J reached about 80 ms, and a 1 s
// window held 22 texts, 5 s ones 102. So a window w may hold at most
// ⌊rate·(w + tolerance + J)⌋ + 1 with J = 100 ms: 23 in 1 s, 103 in 5 s at
// 20/s. A sender sent by two replicas at once (2·rate), or a new owner
// that does not wait for the old one, goes far over that; the 5 s window
// also fails a pacer 5 % too fast, which the jitter would hide in 1 s.
// Under -race a window over the bound is only logged (timingFailed).
func checkRates(t testing.TB, msgs []twiliotest.Message, creates []tapCreate, from []string, rate int) {
	t.Helper()
	const tolerance, jitter = 10 * time.Millisecond, 100 * time.Millisecond
	for _, w := range []time.Duration{time.Second, 5 * time.Second} {
		allowed := int(float64(rate)*(w+tolerance+jitter).Seconds()) + 1
		peak, where := 0, ""
		for _, f := range from {
			n := twiliotest.MaxInWindow(msgs, f, w)
			if n > peak {
				peak, where = n, f
			}
			if n > allowed {
				timingFailed(t, "%s: %d texts in one %v window, want at most %d (%d/s, the pacer's tolerance and %v of jitter): %s",
					f, n, w, allowed, rate, jitter, peakWindow(msgs, creates, f, w))
			}
		}
		t.Logf("peak texts of one sender in a %v window: %d (nominal %d, allowed %d): %s",
			w, peak, int(w.Seconds())*rate, allowed, peakWindow(msgs, creates, where, w))
	}
}

// peakWindow describes the first window of length w holding the most of
// from's texts: when it starts and ends, and which replicas sent them
// (from the taps' create requests, matched by recipient).
func peakWindow(msgs []twiliotest.Message, creates []tapCreate, from string, w time.Duration) string {
	by := map[string]int{}
	for _, c := range creates {
		by[c.to] = c.replica
	}
	var mine []twiliotest.Message
	for _, m := range msgs {
		if m.From == from {
			mine = append(mine, m)
		}
	}
	slices.SortFunc(mine, func(a, b twiliotest.Message) int { return a.Arrived.Compare(b.Arrived) })
	best, lo, bestLo := 0, 0, 0
	for hi, m := range mine {
		for m.Arrived.Sub(mine[lo].Arrived) >= w {
			lo++
		}
		if hi-lo+1 > best {
			best, bestLo = hi-lo+1, lo
		}
	}
	if best == 0 {
		return "no texts"
	}
	in := mine[bestLo : bestLo+best]
	count := map[int]int{}
	for _, m := range in {
		count[by[m.To]]++
	}
	return fmt.Sprintf("%s, %s to %s, by replica:texts %v", from, in[0].Arrived.Format("15:04:05.000"),
		in[len(in)-1].Arrived.Format("15:04:05.000"), count)
}
