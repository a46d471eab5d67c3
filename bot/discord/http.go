package discord

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// maxBody caps the size of a request from Discord.
const maxBody = 1 << 20

// maxSkew is how far X-Signature-Timestamp may be from now; older
// requests are refused as possible replays.
const maxSkew = 5 * time.Minute

// Routes registers POST /discord/interactions, the Interactions Endpoint
// URL to set in the Developer Portal. Each request's ed25519 signature is
// checked with DISCORD_PUBLIC_KEY before its body is parsed; a request
// that fails (Discord sends some on purpose) gets 401 and is not acted on,
// and is logged at most once per 10 s (with the count of those left out).
// A signed request older than 5 minutes is refused as stale; within them,
// a repeat of an interaction already acted on (a replay) gets the answer
// Discord expects and changes nothing. Without PublicKey every request is
// refused.
func (a *Adapter) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /discord/interactions", a.serveInteraction)
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if a.key == nil || !discordgo.VerifyInteraction(r, a.key) {
		a.warnRefused("refused unsigned Discord requests", "remote", r.RemoteAddr)
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "cannot read request", http.StatusBadRequest)
		return
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil {
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	// The signature covers the timestamp; its age is checked once the
	// body is known to be an interaction.
	signed, ok := a.fresh(r.Header.Get("X-Signature-Timestamp"))
	if !ok {
		a.warnRefused("refused stale Discord requests", "remote", r.RemoteAddr)
		http.Error(w, "stale request", http.StatusUnauthorized)
		return
	}
	// A replay is refused as stale once the timestamp is maxSkew old:
	// until then, the ID is remembered.
	arr := arrival{until: signed.Add(maxSkew + time.Second), limit: sizeLimit(body)}
	answered := false
	err = a.interaction(&i, arr, func(_ context.Context, resp any) error {
		b, err := json.Marshal(resp)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/json")
		_, err = w.Write(b)
		answered = true
		if f, ok := w.(http.Flusher); ok {
			f.Flush() // answer Discord before the command's goroutine starts
		}
		return err
	})
	switch {
	case answered:
		if err != nil {
			a.log.Warn("answering an interaction failed", "err", scrub(err))
		}
	case errors.Is(err, errUnsupported):
		http.Error(w, "unsupported interaction", http.StatusBadRequest)
	case err != nil:
		a.log.Error("handling an interaction failed", "err", scrub(err))
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// fresh reads a signature timestamp (Unix seconds) and reports whether it
// is within maxSkew of now.
func (a *Adapter) fresh(ts string) (time.Time, bool) {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	t := time.Unix(sec, 0)
	d := a.clock.Since(t)
	return t, d <= maxSkew && d >= -maxSkew
}

// warnRefused logs a refused request, at most once per
// bot.RefusalLogEvery, with the count of lines left out before it.
func (a *Adapter) warnRefused(msg string, args ...any) {
	if ok, held := a.refusals.Allow(a.clock.Now()); ok {
		a.log.Warn(msg, append(args, "suppressed", held)...)
	}
}
