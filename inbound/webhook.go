package inbound

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/twilio/twilio-go/client"
	"github.com/twilio/twilio-go/twiml"

	"smsbot/bot"
)

// maxForm caps the size of a webhook request.
const maxForm = 64 << 10

// Webhooks serves Twilio's messaging webhooks. Every request must carry a
// valid X-Twilio-Signature for PublicURL + its path; anything else gets
// 403 and is neither stored nor relayed.
type Webhooks struct {
	svc       *Service
	validator client.RequestValidator
	publicURL string
	badSig    bot.LogLimit // "bad signature" is logged at most once per bot.RefusalLogEvery
}

// NewWebhooks returns the webhook handlers. publicURL is SMSBOT_PUBLIC_URL
// (the URL Twilio calls, without the path); authToken signs requests.
func NewWebhooks(svc *Service, authToken, publicURL string) *Webhooks {
	return &Webhooks{svc: svc, validator: client.NewRequestValidator(authToken), publicURL: strings.TrimSuffix(publicURL, "/"),
		badSig: bot.LogLimit{Every: bot.RefusalLogEvery}}
}

// Routes registers POST /twilio/inbound and POST /twilio/status.
func (h *Webhooks) Routes(mux *http.ServeMux) {
	mux.Handle("POST /twilio/inbound", h.Verify(http.HandlerFunc(h.inbound)))
	mux.Handle("POST /twilio/status", h.Verify(http.HandlerFunc(h.status)))
}

// Verify passes on only requests signed by Twilio: X-Twilio-Signature over
// PublicURL + the request's path and query and every POST field, with the
// auth token. Others get 403, and are logged at most once every 10 s
// with the count of those not logged. The form is parsed into r.PostForm.
func (h *Webhooks) Verify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "malformed form", http.StatusBadRequest)
			return
		}
		// Twilio signs the URL it called, with the query, and every POST
		// field; with repeated fields the validator sees the first, as
		// twilio-go's own examples do.
		params := make(map[string]string, len(r.PostForm))
		for k, v := range r.PostForm {
			params[k] = v[0]
		}
		url := h.publicURL + r.URL.RequestURI()
		if !h.validator.Validate(url, params, r.Header.Get("X-Twilio-Signature")) {
			if ok, held := h.badSig.Allow(h.svc.clock.Now()); ok {
				h.svc.log.Warn("refused Twilio webhook with a bad signature", "path", r.URL.Path, "remote", r.RemoteAddr,
					"not_logged_since_last", held)
			}
			http.Error(w, "invalid signature", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// inbound handles "A message comes in". A request without From, or whose
// MessageSid is not a Twilio SID (ValidSID), gets 400 and is not stored.
// Fields are cleaned (CleanField) before anything else.
func (h *Webhooks) inbound(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	t := Clean(Text{SID: f.Get("MessageSid"), From: f.Get("From"), To: f.Get("To"), Body: f.Get("Body")})
	if !ValidSID(t.SID) || t.From == "" {
		http.Error(w, "MessageSid must be a Twilio message SID (two capitals, 32 hex digits) and From is required", http.StatusBadRequest)
		return
	}
	n, _ := strconv.Atoi(f.Get("NumMedia")) // absent or garbage: no media
	for i := range min(n, 10) {
		if u := f.Get("MediaUrl" + strconv.Itoa(i)); u != "" {
			t.Media = append(t.Media, u)
		}
	}
	// Receive sees the fields as sent: a text it cannot store is kept raw.
	raw := Text{SID: f.Get("MessageSid"), From: f.Get("From"), To: f.Get("To"), Body: f.Get("Body"), Media: t.Media}
	reply, err := h.svc.Receive(r.Context(), raw)
	if err != nil {
		h.svc.log.Error("handling incoming text failed", "sid", t.SID)
		h.svc.log.Debug("handling incoming text failed", "sid", t.SID, "err", err)
		// 500 makes Twilio retry; the SID keeps the retry from doubling.
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeTwiML(w, reply)
}

// status handles delivery receipts. A MessageSid that is not a Twilio SID
// gets 400; statuses that are not final change nothing.
func (h *Webhooks) status(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	sid := f.Get("MessageSid")
	if !ValidSID(sid) {
		http.Error(w, "MessageSid must be a Twilio message SID (two capitals, 32 hex digits)", http.StatusBadRequest)
		return
	}
	u, final := ParseStatus(sid, f.Get("MessageStatus"), f.Get("ErrorCode"), h.svc.clock.Now())
	if final {
		if err := h.svc.Status(r.Context(), u); err != nil {
			h.svc.log.Error("recording delivery receipt failed", "sid", u.SID, "err", bot.Redact(err))
			h.svc.log.Debug("recording delivery receipt failed", "sid", u.SID, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// writeTwiML answers a webhook with a <Message> reply, or an empty
// <Response/> for none.
func writeTwiML(w http.ResponseWriter, reply string) {
	var verbs []twiml.Element
	if reply != "" {
		verbs = append(verbs, &twiml.MessagingMessage{Body: reply})
	}
	doc, err := twiml.Messages(verbs)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	_, _ = w.Write([]byte(doc))
}
