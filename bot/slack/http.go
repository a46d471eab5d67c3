package slack

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// maxBody caps the size of a request from Slack.
const maxBody = 1 << 20

// Routes registers the HTTP-mode endpoints on mux: POST /slack/commands,
// POST /slack/interactions and POST /slack/events. Every request is
// verified with the signing secret first; a request that fails gets 401
// and is not acted on.
func (a *Adapter) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /slack/commands", a.verifiedForm(a.serveCommand))
	mux.HandleFunc("POST /slack/interactions", a.verifiedForm(a.serveInteraction))
	mux.HandleFunc("POST /slack/events", a.verified(a.serveEvent))
}

// verified checks a request's signature before next sees its body. A
// request that fails gets 401, logged at most once per bot.RefusalLogEvery. A
// request seen already (the same signature, so the same timestamp and
// body) within the replay window gets 200 and nothing more: a replayed
// /sms reply texts no one twice.
func (a *Adapter) verified(next func(http.ResponseWriter, *http.Request, []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			http.Error(w, "cannot read request", http.StatusBadRequest)
			return
		}
		if err := Verify(a.cfg.SigningSecret, r.Header, body, a.clock.Now()); err != nil {
			if ok, held := a.badSigs.Allow(a.clock.Now()); ok {
				a.log.Warn("refused unsigned Slack request", "path", r.URL.Path, "remote", r.RemoteAddr, "err", err,
					"suppressed", held)
			}
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		if !a.requests.first(r.Header.Get("X-Slack-Signature")) {
			a.log.Info("ignored a repeated Slack request", "path", r.URL.Path, "remote", r.RemoteAddr)
			w.WriteHeader(http.StatusOK)
			return
		}
		next(w, r, body)
	}
}

func (a *Adapter) verifiedForm(next func(http.ResponseWriter, url.Values)) http.HandlerFunc {
	return a.verified(func(w http.ResponseWriter, _ *http.Request, body []byte) {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			http.Error(w, "malformed form", http.StatusBadRequest)
			return
		}
		next(w, form)
	})
}

// serveEvent answers the Events API: the URL check, and event callbacks.
// A redelivery (X-Slack-Retry-Num) of an event already handled gets 200
// and nothing more.
func (a *Adapter) serveEvent(w http.ResponseWriter, r *http.Request, body []byte) {
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	if ev.Type == slackevents.URLVerification {
		var ch slackevents.ChallengeResponse
		if err := json.Unmarshal(body, &ch); err != nil {
			http.Error(w, "malformed challenge", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(ch.Challenge))
		return
	}
	retry, _ := strconv.Atoi(r.Header.Get("X-Slack-Retry-Num"))
	if !a.redelivered(ev, retry, r.Header.Get("X-Slack-Retry-Reason")) {
		a.handleEvent(ev)
	}
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) serveCommand(w http.ResponseWriter, form url.Values) {
	a.handleCommand(slack.SlashCommand{
		Token: form.Get("token"), TeamID: form.Get("team_id"), TeamDomain: form.Get("team_domain"),
		ChannelID: form.Get("channel_id"), ChannelName: form.Get("channel_name"),
		UserID: form.Get("user_id"), UserName: form.Get("user_name"),
		Command: form.Get("command"), Text: form.Get("text"),
		ResponseURL: form.Get("response_url"), TriggerID: form.Get("trigger_id"),
	})
	// An empty 200 acknowledges at once; the answer follows.
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, form url.Values) {
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		http.Error(w, "malformed payload", http.StatusBadRequest)
		return
	}
	a.handleInteraction(cb)
	w.WriteHeader(http.StatusOK)
}
