package bot

import (
	"context"
	"io"
	"sync"
	"time"
)

// Files gives the router the files of a chat.
type Files interface {
	// Open opens a file named in a command: a local path in the console,
	// a link to an uploaded file in Slack. name is for people. When r has
	// a Size() int64 method (a download of known length; -1 for unknown)
	// or a Stat method (an *os.File), a file over Config.MaxImportBytes is
	// refused before any of it is read.
	Open(ctx context.Context, ref string) (name string, r io.ReadCloser, err error)
	// SaveReport keeps an import's full report (the CSV file at path,
	// which the caller removes afterwards) where the chat keeps files: next
	// to the input in the console, attached in Slack. It says where.
	SaveReport(ctx context.Context, input, path string) (where string, err error)
}

// Upload is a file a user shared in a channel.
type Upload struct {
	User    string
	Channel string
	Ref     string // what Files.Open takes
	Name    string
	Files   Files
}

// uploadWindow is how long after /sms import <list> an upload is taken
// as the file to import.
const uploadWindow = 5 * time.Minute

// uploads remembers who asked to import into which list, until when.
type uploads struct {
	mu      sync.Mutex
	waiting map[string]pendingImport
}

type pendingImport struct {
	list    string
	expires time.Time
}

func uploadKey(user, channel string) string { return user + "\x00" + channel }

func (u *uploads) expect(user, channel, list string, until time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.waiting == nil {
		u.waiting = map[string]pendingImport{}
	}
	u.waiting[uploadKey(user, channel)] = pendingImport{list: list, expires: until}
}

// take returns the list an upload of user in channel is for, if any, and
// forgets it: one command, one file.
func (u *uploads) take(user, channel string, now time.Time) (string, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	p, ok := u.waiting[uploadKey(user, channel)]
	delete(u.waiting, uploadKey(user, channel))
	if !ok || now.After(p.expires) {
		return "", false
	}
	return p.list, true
}

// Attacher is a Conversation that can share a file in the channel (a
// chart, an export). The router type-asserts for it; without it, files
// are described but not shared.
type Attacher interface {
	// Attach shares data as a file called name, with a comment, and says
	// where it went (a path in the console, "attached" in chat).
	Attach(ctx context.Context, name string, data []byte, comment string) (where string, err error)
}
