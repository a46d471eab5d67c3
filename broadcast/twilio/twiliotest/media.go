package twiliotest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// MediaFile is a file attached to an incoming MMS.
type MediaFile struct {
	ContentType string // e.g. image/jpeg
	Data        []byte
}

// AddInboundMMS stores a message received with files, as AddInbound does.
// Its media are served as Twilio serves them with "Enforce HTTP Auth on
// Media URLs" on (the default for new accounts): the Media list
// (…/Messages/{Sid}/Media.json) and each file's URL (…/Media/{MediaSid},
// the MediaUrlN of the webhook) need the account's Basic auth; the file's
// URL answers 302 to a short-lived CDN URL on the fake (/cdn/…), which
// serves the bytes without auth. The file is kept in the message's
// MediaURLs as a data: URL.
func (s *Server) AddInboundMMS(from, to, body string, files ...MediaFile) Message {
	media := make([]string, len(files))
	for i, f := range files {
		media[i] = "data:" + f.ContentType + ";base64," + base64.StdEncoding.EncodeToString(f.Data)
	}
	return s.AddInbound(from, to, body, media...)
}

// MediaURLs returns the URLs of message sid's media as Twilio's webhook
// gives them (MediaUrl0, MediaUrl1…): https://api.twilio.com/2010-04-01/
// Accounts/{AccountSid}/Messages/{Sid}/Media/{MediaSid}. A client of the
// fake reaches them through a transport that sends api.twilio.com to URL.
func (s *Server) MediaURLs(sid string) []string {
	m, ok := s.Find(sid)
	if !ok {
		return nil
	}
	out := make([]string, len(m.MediaURLs))
	for i := range m.MediaURLs {
		out[i] = "https://api.twilio.com" + s.accountPath() + "/Messages/" + sid + "/Media/" + mediaSID(sid, i)
	}
	return out
}

// mediaSID is the SID of the i-th media of message sid: "ME" and 32 hex
// digits, the same every time.
func mediaSID(sid string, i int) string {
	h := sha256.Sum256([]byte(sid + "/" + strconv.Itoa(i)))
	return "ME" + hex.EncodeToString(h[:16])
}

// mediaRoutes adds the Media subresource and the CDN to mux.
func (s *Server) mediaRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media.json", func(w http.ResponseWriter, r *http.Request) {
		if s.authorized(w, r) {
			s.serve(w, r, s.handleMediaList)
		}
	})
	mux.HandleFunc("GET /2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{file}", func(w http.ResponseWriter, r *http.Request) {
		if s.authorized(w, r) {
			s.serve(w, r, s.handleMedia)
		}
	})
	mux.HandleFunc("GET /cdn/{MessageSid}/{MediaSid}", s.handleCDN)
}

// mediaResource is the JSON of schema api.v2010.account.message.media.
type mediaResource struct {
	AccountSID  string `json:"account_sid"`
	ContentType string `json:"content_type"`
	DateCreated string `json:"date_created"`
	DateUpdated string `json:"date_updated"`
	ParentSID   string `json:"parent_sid"`
	SID         string `json:"sid"`
	URI         string `json:"uri"`
}

// media returns message sid's media as resources with their contents
// (nil for a media URL that is not a data: URL), or false.
func (s *Server) media(sid string) ([]mediaResource, [][]byte, bool) {
	m, ok := s.Find(sid)
	if !ok {
		return nil, nil, false
	}
	res := make([]mediaResource, len(m.MediaURLs))
	data := make([][]byte, len(m.MediaURLs))
	for i, u := range m.MediaURLs {
		me := mediaSID(sid, i)
		res[i] = mediaResource{AccountSID: m.AccountSID, ParentSID: sid, SID: me,
			DateCreated: m.DateCreated.UTC().Format(rfc2822), DateUpdated: m.DateUpdated.UTC().Format(rfc2822),
			URI: s.accountPath() + "/Messages/" + sid + "/Media/" + me + ".json"}
		if typ, b64, ok := strings.Cut(strings.TrimPrefix(u, "data:"), ";base64,"); ok && strings.HasPrefix(u, "data:") {
			res[i].ContentType = typ
			data[i], _ = base64.StdEncoding.DecodeString(b64)
		}
	}
	return res, data, true
}

// handleMediaList answers GET …/Messages/{Sid}/Media.json: one page with
// every media of the message.
func (s *Server) handleMediaList(w http.ResponseWriter, r *http.Request) {
	sid := r.PathValue("MessageSid")
	res, _, ok := s.media(sid)
	if !ok {
		writeNotFound(w, r)
		return
	}
	uri := s.accountPath() + "/Messages/" + sid + "/Media.json?PageSize=50&Page=0"
	writeJSON(w, http.StatusOK, map[string]any{
		"media_list": res, "first_page_uri": uri, "uri": uri, "next_page_uri": nil, "previous_page_uri": nil,
		"page": 0, "page_size": 50, "start": 0, "end": max(len(res)-1, 0),
	})
}

// handleMedia answers GET …/Media/{MediaSid}.json with the resource, and
// …/Media/{MediaSid} with 302 to the file's CDN URL.
func (s *Server) handleMedia(w http.ResponseWriter, r *http.Request) {
	sid := r.PathValue("MessageSid")
	me, asJSON := strings.CutSuffix(r.PathValue("file"), ".json")
	res, _, _ := s.media(sid)
	for _, m := range res {
		if m.SID != me {
			continue
		}
		if asJSON {
			writeJSON(w, http.StatusOK, m)
			return
		}
		w.Header().Set("Location", "/cdn/"+sid+"/"+me+"?Expires="+strconv.FormatInt(s.cfg.Now().Unix()+4*3600, 10))
		w.WriteHeader(http.StatusFound)
		return
	}
	writeNotFound(w, r)
}

// handleCDN serves a media file's bytes, without auth, as the CDN does
// for the short-lived URL Twilio redirects to. A media URL that is not a
// data: URL is redirected to.
func (s *Server) handleCDN(w http.ResponseWriter, r *http.Request) {
	sid, me := r.PathValue("MessageSid"), r.PathValue("MediaSid")
	res, data, _ := s.media(sid)
	for i, m := range res {
		if m.SID != me {
			continue
		}
		if data[i] == nil {
			msg, _ := s.Find(sid)
			if u, err := url.Parse(msg.MediaURLs[i]); err == nil {
				http.Redirect(w, r, u.String(), http.StatusFound)
				return
			}
			break
		}
		w.Header().Set("Content-Type", m.ContentType)
		w.Header().Set("Content-Length", fmt.Sprint(len(data[i])))
		_, _ = w.Write(data[i])
		return
	}
	http.Error(w, "<Error><Code>AccessDenied</Code></Error>", http.StatusForbidden)
}
