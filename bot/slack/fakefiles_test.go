package slack_test

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The fake's files: files.slack.com's downloads, files.info, uploads
// (files.getUploadURLExternal, the upload URL, files.completeUploadExternal)
// and conversations.open for the direct messages they go to.

// filesURL is where the fake serves files.slack.com's paths.
func (f *slackFake) filesURL() string { return strings.TrimSuffix(f.srv.GetAPIURL(), "/api/") }

// fileLink is a file's link as Slack gives it: on files.slack.com.
func fileLink(id, name string) string {
	return "https://files.slack.com/files-pri/T0EVENT-" + id + "/" + name
}

// share makes a file as if a user had uploaded it, and returns its link.
func (f *slackFake) share(id, name, content string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files[id] = content
	return fileLink(id, name)
}

func (f *slackFake) filesInfo(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	id := r.Form.Get("file")
	f.mu.Lock()
	content := f.files[id]
	f.mu.Unlock()
	link := fileLink(id, "crew.csv")
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "file": map[string]any{"id": id, "name": "crew.csv", "size": len(content),
		"url_private": link, "url_private_download": link}})
}

func (f *slackFake) download(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.downloads++
	id := strings.TrimPrefix(strings.Split(strings.TrimPrefix(r.URL.Path, "/files-pri/"), "/")[0], "T0EVENT-")
	content, ok := f.files[id]
	if !ok || r.Header.Get("Authorization") != "Bearer xoxb-test" {
		w.Header().Set("Content-Type", "text/html") // Slack's login page
		w.Write([]byte("<html>sign in</html>"))
		return
	}
	w.Header().Set("Content-Type", "text/csv")
	if f.chunked {
		for len(content) > 0 { // flushed in pieces: no Content-Length
			n := min(len(content), 512)
			w.Write([]byte(content[:n]))
			w.(http.Flusher).Flush()
			content = content[n:]
		}
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(content)))
	w.Write([]byte(content))
}

func (f *slackFake) openConversation(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	users := r.Form.Get("users")
	if users == "" || strings.Contains(users, ",") {
		json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "invalid_arguments"})
		return
	}
	dm := "D0" + strings.TrimPrefix(users, "U0")
	f.mu.Lock()
	f.dms[users] = dm
	f.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": map[string]any{"id": dm, "is_im": true, "user": users}})
}

func (f *slackFake) uploadURL(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f.mu.Lock()
	f.seq++
	id := fmt.Sprintf("F0UP%04d", f.seq)
	f.uploadIDs[id] = r.Form.Get("filename")
	f.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "file_id": id,
		"upload_url": strings.TrimSuffix(f.srv.GetAPIURL(), "/") + "/upload/" + url.PathEscape(r.Form.Get("filename"))})
}

func (f *slackFake) upload(w http.ResponseWriter, r *http.Request) {
	name, _ := url.PathUnescape(strings.TrimPrefix(r.URL.Path, "/upload/"))
	file, _, err := r.FormFile("file")
	if err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	b, _ := io.ReadAll(file)
	f.mu.Lock()
	f.uploaded[name] = string(b)
	f.mu.Unlock()
	w.Write([]byte("OK"))
}

// completeUpload shares uploaded files in channel_id (none: private).
func (f *slackFake) completeUpload(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	var done []struct {
		ID string `json:"id"`
	}
	json.Unmarshal([]byte(r.Form.Get("files")), &done)
	f.mu.Lock()
	var out []map[string]any
	for _, d := range done {
		f.uploadedTo[f.uploadIDs[d.ID]] = r.Form.Get("channel_id")
		f.uploadedIn[f.uploadIDs[d.ID]] = r.Form.Get("thread_ts")
		out = append(out, map[string]any{"id": d.ID, "title": f.uploadIDs[d.ID]})
	}
	f.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "files": out})
}

func (f *slackFake) report(name string) (string, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.uploaded[name], f.downloads
}

// shared returns every uploaded file's name and the channel it was
// shared in.
func (f *slackFake) shared() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.uploadedTo)
}

// sharedIn returns the channel an uploaded file was shared in.
func (f *slackFake) sharedIn(name string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.uploadedTo[name]
}

// sharedThread returns the thread an uploaded file was shared in.
func (f *slackFake) sharedThread(name string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.uploadedIn[name]
}
