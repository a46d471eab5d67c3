package discord_test

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// message reads a message body, JSON or multipart with payload_json and
// files, into what it shows.
func message(r *http.Request) (shown, map[string]any) {
	var payload map[string]any
	s := shown{files: map[string]string{}}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(p)
			if p.FormName() == "payload_json" {
				json.Unmarshal(b, &payload)
			} else {
				s.files[p.FileName()] = string(b)
			}
		}
	} else {
		json.NewDecoder(r.Body).Decode(&payload)
	}
	s.text, s.buttons, s.styles = render(payload)
	flags, _ := payload["flags"].(float64)
	s.ephemeral = int(flags)&int(discordgo.MessageFlagsEphemeral) != 0
	return s, payload
}

// render collects a message's text and its buttons.
func render(payload map[string]any) (string, map[string]string, map[string]float64) {
	var parts []string
	if c, _ := payload["content"].(string); c != "" {
		parts = append(parts, c)
	}
	embeds, _ := payload["embeds"].([]any)
	for _, e := range embeds {
		e := e.(map[string]any)
		for _, k := range []string{"title", "description"} {
			if s, _ := e[k].(string); s != "" {
				parts = append(parts, s)
			}
		}
		fields, _ := e["fields"].([]any)
		for _, fl := range fields {
			fl := fl.(map[string]any)
			parts = append(parts, fmt.Sprintf("%s: %s", fl["name"], fl["value"]))
		}
	}
	buttons, styles := map[string]string{}, map[string]float64{}
	rows, _ := payload["components"].([]any)
	for _, row := range rows {
		comps, _ := row.(map[string]any)["components"].([]any)
		for _, c := range comps {
			c := c.(map[string]any)
			label, _ := c["label"].(string)
			buttons[label], _ = c["custom_id"].(string)
			styles[label], _ = c["style"].(float64)
		}
	}
	return strings.Join(parts, "\n"), buttons, styles
}

// since returns what was shown from index i on, and a channel closed at
// the next change.
func (f *discordFake) since(i int) ([]shown, <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]shown(nil), f.shown[i:]...), f.changed
}

func (f *discordFake) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.shown)
}

func (f *discordFake) downloads() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fetched
}

// newestButton finds the newest channel message whose current version
// shows a button labelled label.
func (f *discordFake) newestButton(label string) (channel, id, action string, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.shown) - 1; i >= 0; i-- {
		s := f.shown[i]
		if s.id == "" || f.latest[s.id] != i {
			continue
		}
		if a, found := s.buttons[label]; found {
			return s.channel, s.id, a, true
		}
	}
	return "", "", "", false
}

// waitFor waits for something shown from index from on, of one of kinds
// (any kind when none), whose text contains s, and returns it.
func (f *discordFake) waitFor(t *testing.T, from int, s string, kinds ...string) shown {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		shownSince, changed := f.since(from)
		for _, m := range shownSince {
			if strings.Contains(m.text, s) && (len(kinds) == 0 || strings.Contains(" "+strings.Join(kinds, " ")+" ", " "+m.kind+" ")) {
				return m
			}
		}
		select {
		case <-changed:
		case <-timeout:
			var all []string
			for _, m := range shownSince {
				all = append(all, m.kind+" "+m.channel+": "+m.text)
			}
			t.Fatalf("Discord never showed %q; shown since the last input:\n%s", s, strings.Join(all, "\n---\n"))
		}
	}
}

// share serves content as an attachment and returns its URL.
func (f *discordFake) share(name, content string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := fmt.Sprintf("%s/%s/%s", staffID, f.nextID(), name)
	f.served[p] = content
	return f.srv.URL + "/attachments/" + p + "?ex=6750a1b2&is=674f5032&hm=3f1e"
}

func (f *discordFake) attachment(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.fetched++
	content, ok := f.served[r.PathValue("path")]
	drop := f.dropped(w, "GET attachments")
	f.mu.Unlock()
	if drop {
		return
	}
	if !ok || r.Header.Get("Authorization") != "" { // the CDN needs no token; none may leak there
		http.Error(w, "This content is no longer available.", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/csv")
	io.WriteString(w, content)
}

// registered returns the commands registered on where: a guild ID, or
// "global".
func (f *discordFake) registered(where string) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.commands[where]
}
