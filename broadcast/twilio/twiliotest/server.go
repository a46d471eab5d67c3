// Package twiliotest is a hand-written HTTP fake of Twilio's Messages REST
// API (version 2010-04-01), for tests that drive the real twilio-go client.
//
// It serves three endpoints, all behind HTTP Basic auth
// (Config.AccountSID : Config.AuthToken):
//
//	POST /2010-04-01/Accounts/{AccountSid}/Messages.json        create
//	GET  /2010-04-01/Accounts/{AccountSid}/Messages.json        list (filters, pages)
//	GET  /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json  fetch
//
// Errors are Twilio's JSON error documents, so twilio-go returns them as
// *client.TwilioRestError. Config.Fault and Config.Invalid script failures,
// including the unkind ones of the real service: 5xx and HTML pages from a
// gateway after the message was stored, answers slower than the client's
// timeout, Retry-After as seconds or as an HTTP date. Server.Created
// signals every stored outbound message so that tests wait on a channel
// instead of sleeping.
//
// Like Twilio across the internet, the fake can be slow and full.
// Config.Latency (a latency.Dist, sampled from Config.Seed) delays every
// answer to an authenticated request on the real clock; a create stores
// its message first, so a client that gives up during the wait leaves a
// stored message behind. Config.Concurrency is the account's limit on
// requests being served at once: one more is refused at once with 429 and
// Twilio error 20429, and nothing is stored. Every answer carries Twilio's
// headers Twilio-Request-Id, Twilio-Concurrent-Requests and
// Twilio-Request-Duration. Peak, Refused and InFlight report the load, and
// Message.Arrived with MaxPerWindow checks senders' rates on the real
// clock.
//
// Like Twilio, a new outbound message is queued with date_sent null, and
// is sent (status sent, date_sent set) Config.SendDelay later; filters on
// DateSent do not see it until then. The list can be made eventually
// consistent with Config.ListDelay. Both run on the fake's clock,
// Config.Now. Gateway pages and error documents match the recorded ones in
// the module's testdata/twilio (see Fixture).
//
// twilio-go has no base-URL option: point it at Server.URL with an
// http.RoundTripper that rewrites the scheme and host of each request.
package twiliotest

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"smsbot/broadcast/latency"
)

// Defaults used when the matching Config field is empty. Both are
// alphanumeric, as twilio-go requires of credentials.
const (
	DefaultAccountSID    = "AC00000000000000000000000000000000"
	DefaultAuthToken     = "00000000000000000000000000000000"
	DefaultServiceNumber = "+15005550000"
	DefaultPageSize      = 50
	DefaultSendDelay     = time.Second
	DefaultRetryAfter    = time.Second
	maxPageSize          = 1000
	createdBuffer        = 1 << 16
)

// Config configures a Server. The zero value is ready to use.
type Config struct {
	// AccountSID is the account in every URL path and the Basic-auth user.
	// Default DefaultAccountSID.
	AccountSID string
	// AuthToken is the Basic-auth password. Default DefaultAuthToken.
	// Requests with other credentials get 401 and Twilio error 20003.
	AuthToken string
	// Now is the fake's clock for DateCreated, DateSent and DateUpdated.
	// Default time.Now. It is called from many goroutines.
	Now func() time.Time
	// Fault decides what happens to each create request that passed field
	// validation. Nil means FaultNone for all. It is called concurrently.
	Fault func(CreateRequest) Fault
	// PageSizeDefault is the page size of list requests without PageSize.
	// Default DefaultPageSize, like Twilio; at most 1000.
	PageSizeDefault int
	// Invalid maps To numbers to a Twilio error code (21211, 21614, 21610…)
	// that create requests to them get as a permanent 400. Such messages
	// are not stored. The check runs after Fault, so a scripted 429 or 500
	// still comes first.
	Invalid map[string]int
	// ServiceNumber is the From of messages sent with MessagingServiceSid.
	// Default DefaultServiceNumber.
	ServiceNumber string
	// SendDelay is how long a new outbound message stays in Twilio's
	// queue (status queued, or accepted for a Messaging Service; date_sent
	// null) before it is sent, on Now's clock. Default DefaultSendDelay.
	// Negative: sent at creation. SetStatus ends the wait.
	SendDelay time.Duration
	// ListDelay is how long a new message (outbound or inbound) stays out
	// of list results, on Now's clock: Twilio's list is eventually
	// consistent. Fetching by SID sees the message at once. Default 0:
	// listed at once.
	ListDelay time.Duration
	// RetryAfter is the wait Fault429 (in whole seconds, rounded up) and
	// Fault429Date (as an HTTP date) ask for. Default DefaultRetryAfter.
	RetryAfter time.Duration

	// Latency is how long the fake takes to answer each authenticated
	// request (create, list, fetch, whatever the answer), on the real
	// clock, not Now's: the time a call to Twilio takes across the
	// internet. A create is validated and its message stored on arrival,
	// then the answer waits, as when Twilio accepted the message but its
	// answer is still on the way. Refusals for Concurrency, and answers to
	// unauthenticated requests, do not wait. A request's context ending, or
	// Close, ends the wait without an answer. Zero: answers at once.
	// SetLatency changes it while the fake runs.
	Latency latency.Dist
	// Seed seeds the sampling of Latency: a PCG source
	// rand.NewPCG(Seed, Seed), drawn from in the order requests are
	// admitted. The zero Seed is a seed like any other.
	Seed uint64
	// Sleep waits out one sampled latency d > 0, returning early with
	// ctx's error when ctx ends (the request's context, or Close). Default:
	// a real timer. Tests of the fake inject one that records d, or blocks
	// until told, instead of sleeping.
	Sleep func(ctx context.Context, d time.Duration) error
	// Concurrency is the account's limit on REST requests being served at
	// once, like Twilio's (commonly 100). A request is served from when it
	// passed auth until its answer is written, latency included. One that
	// arrives while Concurrency are being served is refused at once with
	// 429 and Twilio error 20429 (no Retry-After: Twilio sends none), and a
	// create refused so is not stored nor counted in CreateRequest.Attempt.
	// Zero: unlimited. SetConcurrency changes it while the fake runs.
	Concurrency int
}

// Server is a running fake. It is safe for concurrent use.
type Server struct {
	cfg      Config
	pages    pages
	ts       *httptest.Server
	requests atomic.Int64
	created  chan Message

	closeOnce sync.Once
	closed    chan struct{}      // closed by Close; ends every FaultHold
	stop      context.Context    // done at Close; ends every latency wait
	cancel    context.CancelFunc // ends stop

	acct account // concurrency, latency and their records

	mu       sync.Mutex
	msgs     []Message      // creation order
	bySID    map[string]int // SID to index in msgs
	queued   []int          // indexes in msgs of messages not yet sent, in creation order
	attempts map[string]int // attemptKey to count of create requests
	release  chan struct{}  // closed and replaced by Release
}

// NewServer starts a fake on a local port. Call Close when done, for
// example with t.Cleanup(s.Close). It panics if cfg.PageSizeDefault is
// negative or above 1000, if ListDelay, RetryAfter or Concurrency is
// negative, or if the module's testdata/twilio pages cannot be read.
func NewServer(cfg Config) *Server {
	cfg.AccountSID = cmp.Or(cfg.AccountSID, DefaultAccountSID)
	cfg.AuthToken = cmp.Or(cfg.AuthToken, DefaultAuthToken)
	cfg.ServiceNumber = cmp.Or(cfg.ServiceNumber, DefaultServiceNumber)
	cfg.PageSizeDefault = cmp.Or(cfg.PageSizeDefault, DefaultPageSize)
	cfg.SendDelay = cmp.Or(cfg.SendDelay, DefaultSendDelay)
	cfg.RetryAfter = cmp.Or(cfg.RetryAfter, DefaultRetryAfter)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PageSizeDefault < 1 || cfg.PageSizeDefault > maxPageSize {
		panic(fmt.Sprintf("twiliotest: Config.PageSizeDefault %d is outside 1..%d", cfg.PageSizeDefault, maxPageSize))
	}
	if cfg.ListDelay < 0 || cfg.RetryAfter < 0 || cfg.Concurrency < 0 {
		panic(fmt.Sprintf("twiliotest: Config.ListDelay %v, RetryAfter %v and Concurrency %d must not be negative",
			cfg.ListDelay, cfg.RetryAfter, cfg.Concurrency))
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	s := &Server{
		cfg:      cfg,
		pages:    loadPages(),
		created:  make(chan Message, createdBuffer),
		closed:   make(chan struct{}),
		bySID:    map[string]int{},
		attempts: map[string]int{},
		release:  make(chan struct{}),
		acct: account{
			limit: cfg.Concurrency,
			dist:  cfg.Latency,
			rng:   rand.New(rand.NewPCG(cfg.Seed, cfg.Seed)),
		},
	}
	s.stop, s.cancel = context.WithCancel(context.Background())
	s.ts = httptest.NewServer(s.routes())
	return s
}

// URL returns the base URL of the fake, like "http://127.0.0.1:40123",
// without a trailing slash.
func (s *Server) URL() string { return s.ts.URL }

// AccountSID returns the account SID the fake accepts.
func (s *Server) AccountSID() string { return s.cfg.AccountSID }

// AuthToken returns the auth token the fake accepts.
func (s *Server) AuthToken() string { return s.cfg.AuthToken }

// Close ends every FaultHold handler and latency wait (their connections
// are closed without a response, like a crashed server) and shuts the
// server down, waiting for in-flight requests. It is safe to call more
// than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.cancel()
		s.ts.Close()
	})
}

// Release lets every FaultHold handler that is blocked right now answer
// normally with 201. Handlers that start holding after Release block until
// the next Release, Close, or the end of their request.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.release)
	s.release = make(chan struct{})
}

// Requests returns how many create requests (POST …/Messages.json) arrived,
// whatever their outcome: rejected, faulted or stored.
func (s *Server) Requests() int { return int(s.requests.Load()) }

// Created returns a channel that receives a copy of every stored outbound
// message, right after it is stored and before the response is written
// (or the request dropped or held). Inbound messages are not sent. The
// channel holds 65536 messages; when it is full, further messages are not
// sent to it (they are still stored).
func (s *Server) Created() <-chan Message { return s.created }

// routes returns the fake's handler. Paths outside the API get 404 with
// Twilio error 20404. Every answer gets Twilio's headers (see answer).
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/2010-04-01/Accounts/{AccountSid}/Messages.json", s.handleMessages)
	mux.HandleFunc("/2010-04-01/Accounts/{AccountSid}/Messages/{file}", s.handleFetch)
	s.mediaRoutes(mux) // media.go
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeNotFound(w, r)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(s.newAnswer(w), r)
	})
}

// handleMessages dispatches the Messages list resource by method.
func (s *Server) handleMessages(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		s.requests.Add(1)
		if s.authorized(w, r) {
			s.serve(w, r, s.handleCreate)
		}
	case http.MethodGet:
		if s.authorized(w, r) {
			s.serve(w, r, s.handleList)
		}
	default:
		writeError(w, http.StatusMethodNotAllowed, codeMethodNotAllowed, "Method not allowed: "+r.Method)
	}
}

// authorized checks Basic auth and the account in the path. When they are
// wrong it writes the Twilio error and returns false.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if !ok || user != s.cfg.AccountSID || pass != s.cfg.AuthToken {
		w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
		writeError(w, http.StatusUnauthorized, codeAuthenticate, errorText(codeAuthenticate))
		return false
	}
	if r.PathValue("AccountSid") != s.cfg.AccountSID {
		writeNotFound(w, r)
		return false
	}
	return true
}
