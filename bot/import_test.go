package bot_test

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"smsbot/bot"
	"smsbot/broadcast"
	"smsbot/importer"
)

// countingDir counts the import transactions a router opens.
type countingDir struct {
	bot.Directory
	imports atomic.Int32
}

func (d *countingDir) ImportContacts(ctx context.Context, list, actor string, fn func(importer.Writer) error) error {
	d.imports.Add(1)
	return d.Directory.ImportContacts(ctx, list, actor, fn)
}

// oneFile is a chat's files: Open gives r, SaveReport keeps nothing.
type oneFile struct{ r io.ReadCloser }

func (f oneFile) Open(context.Context, string) (string, io.ReadCloser, error) {
	return "upload.csv", f.r, nil
}

// stream is a download of unknown length.
func stream(r io.Reader) io.ReadCloser { return io.NopCloser(struct{ io.Reader }{r}) }

func (oneFile) SaveReport(context.Context, string, string) (string, error) { return "kept", nil }

// sized is a download that says its length and must not be read.
type sized struct {
	t    *testing.T
	size int64
}

func (s sized) Size() int64  { return s.size }
func (s sized) Close() error { return nil }
func (s sized) Read([]byte) (int, error) {
	s.t.Error("a file known to be too large was read")
	return 0, io.EOF
}

// importRouter is a router over b's engine whose store counts import
// transactions, taking files of at most limit bytes.
func importRouter(t *testing.T, b *routerBundle, limit int64) (*bot.Router, *countingDir) {
	t.Helper()
	dir := &countingDir{Directory: b.store}
	r := bot.New(bot.Config{Engine: b.engine, Directory: dir, MaxImportBytes: limit})
	t.Cleanup(r.Close)
	return r, dir
}

func contactsCSV(from, n int) string {
	var s strings.Builder
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&s, "+1206555%04d,Guest %d\n", i, i)
	}
	return s.String()
}

func TestFileTooLargeSaysSizeAndLimit(t *testing.T) {
	tests := []struct {
		size, limit int64
		want        string
	}{
		{300 << 20, bot.DefaultMaxImportBytes, "the file is 300 MiB; the limit is 20 MiB (SMSBOT_MAX_IMPORT_BYTES)"},
		{20<<20 + 1, bot.DefaultMaxImportBytes, "the file is 20.1 MiB; the limit is 20 MiB (SMSBOT_MAX_IMPORT_BYTES)"},
		{1500, 1024, "the file is 1.5 KiB; the limit is 1 KiB (SMSBOT_MAX_IMPORT_BYTES)"},
		{3 << 30, 1 << 30, "the file is 3 GiB; the limit is 1 GiB (SMSBOT_MAX_IMPORT_BYTES)"},
		{-1, 500, "the file is more than 500 bytes; the limit is 500 bytes (SMSBOT_MAX_IMPORT_BYTES)"},
	}
	for _, tt := range tests {
		err := bot.FileTooLarge(tt.size, tt.limit)
		if broadcast.ErrorCode(err) != broadcast.EINVALID || broadcast.ErrorMessage(err) != tt.want {
			t.Errorf("FileTooLarge(%d, %d) = %v, want EINVALID %q", tt.size, tt.limit, err, tt.want)
		}
	}
}

// TestImportRefusesLargeFilesBeforeTheTransaction: a file over the limit
// is refused in one line, whether its size is known before reading (a
// download that tells its length, a local file) or only once it is read,
// and no import transaction opens.
func TestImportRefusesLargeFilesBeforeTheTransaction(t *testing.T) {
	b := setup(t)
	const limit = 4 << 10
	data := "phone,name\n" + contactsCSV(0, 300) // about 6 KiB
	local := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(local, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(local)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tests := []struct {
		name string
		r    io.ReadCloser
		want string
	}{
		{"download of known size", sized{t, 300 << 20}, "the file is 300 MiB; the limit is 4 KiB (SMSBOT_MAX_IMPORT_BYTES)"},
		{"local file", f, fmt.Sprintf("the file is %g KiB; the limit is 4 KiB", math.Ceil(float64(len(data))/1024*10)/10)},
		{"stream", stream(strings.NewReader(data)), "the file is more than 4 KiB; the limit is 4 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, dir := importRouter(t, b, limit)
			_, _, err := r.Import(context.Background(), "console", "crew", "ref", oneFile{tt.r})
			if broadcast.ErrorCode(err) != broadcast.EINVALID || !strings.HasPrefix(broadcast.ErrorMessage(err), tt.want) {
				t.Errorf("import = %v, want EINVALID %q", err, tt.want)
			}
			if n := dir.imports.Load(); n != 0 {
				t.Errorf("%d import transactions opened for a file over the limit", n)
			}
		})
	}
	r, dir := importRouter(t, b, int64(len(data)))
	rep, m, err := r.Import(context.Background(), "console", "crew", "ref", oneFile{stream(strings.NewReader(data))})
	if err != nil || rep.Imported != 300 || dir.imports.Load() != 1 {
		t.Errorf("a file of exactly the limit: %+v, %v, %d transactions", rep, err, dir.imports.Load())
	}
	if !m.Ephemeral {
		t.Errorf("the import's report %q is shown to the channel; it may quote rows of the file", m.Title)
	}
}

// stalling gives its first part, then waits for release before the rest,
// as a slow download does.
type stalling struct {
	first, rest io.Reader
	stalled     chan struct{} // closed when the first part is read
	release     chan struct{}
}

func (s *stalling) Read(p []byte) (int, error) {
	if n, err := s.first.Read(p); n > 0 || err != io.EOF {
		return n, err
	}
	select {
	case <-s.stalled:
	default:
		close(s.stalled)
	}
	<-s.release
	return s.rest.Read(p)
}

// TestSlowUploadDoesNotHoldTheDatabase: while an upload is still
// arriving, the database takes other writes, because the import's
// transaction (SQLite's write lock) opens only once the file is here.
// Before, the file was read inside the transaction and another write
// waited out busy_timeout and failed with SQLITE_BUSY.
func TestSlowUploadDoesNotHoldTheDatabase(t *testing.T) {
	b := setup(t)
	r, dir := importRouter(t, b, 0)
	in := &stalling{
		// More than the importer reads ahead before its transaction (the
		// first records, then a few chunks queued for the writer).
		first:   strings.NewReader("phone,name\n" + contactsCSV(0, 5000)),
		rest:    strings.NewReader(contactsCSV(5000, 100)),
		stalled: make(chan struct{}), release: make(chan struct{}),
	}
	type result struct {
		rep importer.Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, _, err := r.Import(context.Background(), "console", "crew", "ref", oneFile{stream(in)})
		done <- result{rep, err}
	}()
	select {
	case <-in.stalled:
	case res := <-done:
		t.Fatalf("the import ended before the upload did: %+v", res)
	case <-time.After(20 * time.Second):
		t.Fatal("the import never read the upload")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := b.store.AddMember(ctx, "other", "+12065559999", "", "console"); err != nil {
		t.Errorf("a write while the upload arrives: %v", err)
	}
	if n := dir.imports.Load(); n != 0 {
		t.Errorf("%d import transactions opened before the upload was complete", n)
	}
	close(in.release)
	select {
	case res := <-done:
		if res.err != nil || res.rep.Imported != 5100 {
			t.Fatalf("import = %+v, %v; want 5100 contacts", res.rep, res.err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the import never finished")
	}
}
