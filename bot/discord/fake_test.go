package discord_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/jonboulle/clockwork"
)

const (
	appID   = "1311000000000000001"
	guildID = "1311000000000000100"
	staffID = "1311000000000000200" // the staff channel, where tests type
	token   = "test-token"
)

// shown is one thing Discord showed or was told: a channel message posted
// or edited, an interaction's response filled, a follow-up, a callback.
type shown struct {
	kind      string // "post", "edit", "original", "followup", "delete", "callback", "thread"
	channel   string
	id        string // the message's ID
	text      string // all of its text: content, embed titles, descriptions and fields
	buttons   map[string]string
	styles    map[string]float64 // label → button style
	ephemeral bool
	files     map[string]string // attached file name → content
	callback  map[string]any    // an interaction callback's body
	at        time.Time         // on the fake's clock
}

// discordFake records the REST calls smsbot makes to Discord. Like
// Discord, it refuses messages over its limits (checkMessage: 50035, 50006)
// and calls over its rate limits (discordLimits, with X-RateLimit-* headers
// on every answer), timed on clock; a test fails if the adapter sent
// anything Discord would refuse for its content.
type discordFake struct {
	srv   *httptest.Server
	clock clockwork.Clock

	mu       sync.Mutex
	shown    []shown
	latest   map[string]int // message ID → index in shown of its newest version
	changed  chan struct{}
	seq      int
	commands map[string][]map[string]any // "global" or the guild ID → registered commands
	served   map[string]string           // attachment path → content
	fetched  int                         // attachment downloads
	gone     map[string]bool             // deleted channels (threads)
	badAuth  []string                    // requests without the bot token

	unexpected      []string // requests to endpoints the fake does not serve
	allowUnexpected bool

	buckets       map[string]*window // route and resource → its rate limit
	global        *window
	faults        []fault
	refused       []refusal
	allowRefusals bool              // a test that sends what Discord refuses on purpose
	acked         map[string]bool   // interactions answered through the callback
	bodies        map[string][]byte // recorded error bodies by file name
	uploadLimit   int               // bytes per file; more gets 413 (40005)
	tooLong       []fault           // next calls refused as too long, whatever their length (after is unused)
	drop          []string          // routes whose next call gets its connection closed, unanswered
	callbacks     int               // interaction callbacks asked for, answered or not
}

// newDiscordFake starts a fake Discord whose rate limits run on clock, the
// adapter's.
func newDiscordFake(t *testing.T, clock clockwork.Clock) *discordFake {
	f := &discordFake{clock: clock, latest: map[string]int{}, changed: make(chan struct{}), commands: map[string][]map[string]any{},
		served: map[string]string{}, gone: map[string]bool{}, buckets: map[string]*window{}, acked: map[string]bool{}, bodies: map[string][]byte{},
		uploadLimit: limitUpload}
	for _, name := range []string{"error_rate_limited.json", "error_invalid_form_body.json", "error_request_entity_too_large.json"} {
		f.bodies[name] = fixture(t, name)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /api/v9/applications/{app}/commands", f.register)
	mux.HandleFunc("PUT /api/v9/applications/{app}/guilds/{guild}/commands", f.register)
	mux.HandleFunc("POST /api/v9/interactions/{id}/{token}/callback", f.interactionCallback)
	mux.HandleFunc("PATCH /api/v9/webhooks/{app}/{token}/messages/{msg}", f.webhookEdit)
	mux.HandleFunc("DELETE /api/v9/webhooks/{app}/{token}/messages/{msg}", f.webhookDelete)
	mux.HandleFunc("POST /api/v9/webhooks/{app}/{token}", f.followup)
	mux.HandleFunc("POST /api/v9/channels/{channel}/messages", f.channelPost)
	mux.HandleFunc("PATCH /api/v9/channels/{channel}/messages/{msg}", f.channelEdit)
	mux.HandleFunc("POST /api/v9/channels/{channel}/messages/{msg}/threads", f.threadStart)
	mux.HandleFunc("GET /attachments/{path...}", f.attachment)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.unexpected = append(f.unexpected, r.Method+" "+r.URL.Path)
		f.mu.Unlock()
		apiError(w, http.StatusNotFound, 0, "404: Not Found")
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		f.srv.Close()
		f.checkRefusals(t)
		f.mu.Lock()
		defer f.mu.Unlock()
		if len(f.badAuth) > 0 {
			t.Errorf("requests without the bot token: %v", f.badAuth)
		}
		if len(f.unexpected) > 0 && !f.allowUnexpected {
			t.Errorf("requests Discord's fake does not serve: %v", f.unexpected)
		}
	})
	return f
}

func (f *discordFake) url() string { return f.srv.URL }

// record appends s and signals the change; callers hold f.mu.
func (f *discordFake) record(s shown) {
	s.at = f.clock.Now()
	f.shown = append(f.shown, s)
	if s.id != "" && (s.kind == "post" || s.kind == "edit") {
		f.latest[s.id] = len(f.shown) - 1
	}
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *discordFake) nextID() string {
	f.seq++
	return fmt.Sprintf("13119600000000%05d", f.seq)
}

// botAuth checks that a request carries the bot token; interaction
// webhooks and callbacks need none.
func (f *discordFake) botAuth(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("Authorization") == "Bot "+token {
		return true
	}
	f.mu.Lock()
	f.badAuth = append(f.badAuth, r.Method+" "+r.URL.Path)
	f.mu.Unlock()
	apiError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
	return false
}

func apiError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg})
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (f *discordFake) register(w http.ResponseWriter, r *http.Request) {
	if !f.botAuth(w, r) {
		return
	}
	var cmds []map[string]any
	json.NewDecoder(r.Body).Decode(&cmds)
	where := "global"
	if g := r.PathValue("guild"); g != "" {
		where = g
	}
	f.mu.Lock()
	f.commands[where] = cmds
	for _, c := range cmds {
		c["id"], c["application_id"] = f.nextID(), r.PathValue("app")
	}
	f.mu.Unlock()
	reply(w, cmds)
}

func (f *discordFake) interactionCallback(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	json.NewDecoder(r.Body).Decode(&body)
	id := r.PathValue("id")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.callbacks++
	if f.dropped(w, "POST interactions/callback") {
		return
	}
	if errs := checkCallback(body); errs != nil {
		f.invalid(w, refusal{route: "POST interactions/callback", code: 50035, errors: errs}, "Invalid Form Body")
		return
	}
	if f.acked[id] {
		f.invalid(w, refusal{route: "POST interactions/callback", code: 40060}, "Interaction has already been acknowledged.")
		return
	}
	f.acked[id] = true
	f.record(shown{kind: "callback", id: id, callback: body})
	w.WriteHeader(http.StatusNoContent)
}

func (f *discordFake) webhookEdit(w http.ResponseWriter, r *http.Request) {
	s, payload := message(r)
	s.kind, s.id = "original", r.PathValue("msg")
	if s.id != "@original" {
		s.kind = "followup-edit"
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.accept(w, r, "PATCH webhooks/messages", r.PathValue("token"), s, payload) {
		return
	}
	f.record(s)
	reply(w, map[string]any{"id": f.nextID(), "channel_id": staffID, "flags": 64})
}

func (f *discordFake) webhookDelete(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.limit(w, r, "DELETE webhooks/messages", r.PathValue("token"), "") {
		return
	}
	f.record(shown{kind: "delete", id: r.PathValue("msg")})
	w.WriteHeader(http.StatusNoContent)
}

func (f *discordFake) followup(w http.ResponseWriter, r *http.Request) {
	s, payload := message(r)
	s.kind = "followup"
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.accept(w, r, "POST webhooks", r.PathValue("token"), s, payload) {
		return
	}
	s.id = f.nextID()
	f.record(s)
	reply(w, map[string]any{"id": s.id, "channel_id": staffID, "flags": 64})
}

func (f *discordFake) channelPost(w http.ResponseWriter, r *http.Request) {
	if !f.botAuth(w, r) {
		return
	}
	s, payload := message(r)
	s.kind, s.channel = "post", r.PathValue("channel")
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.gone[s.channel] {
		apiError(w, http.StatusNotFound, discordgo.ErrCodeUnknownChannel, "Unknown Channel")
		return
	}
	if !f.accept(w, r, "POST channels/messages", s.channel, s, payload) {
		return
	}
	s.id = f.nextID()
	f.record(s)
	reply(w, map[string]any{"id": s.id, "channel_id": s.channel, "type": 0, "author": map[string]any{"id": appID, "bot": true}})
}

func (f *discordFake) channelEdit(w http.ResponseWriter, r *http.Request) {
	if !f.botAuth(w, r) {
		return
	}
	s, payload := message(r)
	s.kind, s.channel, s.id = "edit", r.PathValue("channel"), r.PathValue("msg")
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.accept(w, r, "PATCH channels/messages", s.channel, s, payload) {
		return
	}
	f.record(s)
	reply(w, map[string]any{"id": s.id, "channel_id": s.channel, "type": 0, "edited_timestamp": f.clock.Now().Format(time.RFC3339)})
}

// threadStart starts a thread from a message: as in Discord, the thread's
// ID is the message's.
func (f *discordFake) threadStart(w http.ResponseWriter, r *http.Request) {
	if !f.botAuth(w, r) {
		return
	}
	var body struct {
		Name    string `json:"name"`
		Archive int    `json:"auto_archive_duration"`
	}
	json.NewDecoder(r.Body).Decode(&body)
	id := r.PathValue("msg")
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.limit(w, r, "POST channels/threads", r.PathValue("channel"), body.Name) {
		return
	}
	if n := length(body.Name); n > limitThreadName || n == 0 {
		f.invalid(w, refusal{route: "POST channels/threads", text: body.Name, code: 50035, errors: map[string]any{"name": map[string]any{
			"_errors": []any{map[string]any{"code": "BASE_TYPE_BAD_LENGTH", "message": fmt.Sprintf("Must be between 1 and %d in length.", limitThreadName)}}}}},
			"Invalid Form Body")
		return
	}
	f.record(shown{kind: "thread", channel: r.PathValue("channel"), id: id, text: body.Name})
	reply(w, map[string]any{"id": id, "type": 11, "parent_id": r.PathValue("channel"), "name": body.Name,
		"guild_id": guildID, "thread_metadata": map[string]any{"archived": false, "auto_archive_duration": body.Archive}})
}
