package bot

import (
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"strconv"

	"smsbot/broadcast"
)

// DefaultMaxImportBytes is the largest file /sms import takes unless
// Config.MaxImportBytes says otherwise (SMSBOT_MAX_IMPORT_BYTES): 20 MiB,
// about 250,000 contacts of a ticketing export. Adapters that know a
// file's size before downloading it (an attachment's size, a Content-Length)
// refuse larger files with FileTooLarge.
const DefaultMaxImportBytes = 20 << 20

// FileTooLarge is the EINVALID error for a file of size bytes over limit.
// A size below 0 means only that it is over the limit.
func FileTooLarge(size, limit int64) error {
	is := "more than " + fmtBytes(limit, false)
	if size >= 0 {
		is = fmtBytes(size, true)
	}
	return broadcast.Errorf(broadcast.EINVALID, "the file is %s; the limit is %s (SMSBOT_MAX_IMPORT_BYTES)", is, fmtBytes(limit, false))
}

// spool copies a file to be imported into a temporary file, so that the
// import's transaction (which holds the database's write lock) opens only
// once the whole file is here, however slowly it arrives. It reads at most
// limit bytes: a larger file is refused with FileTooLarge, before any of
// it is read when r tells its size. The caller closes and removes the
// file.
func spool(r io.Reader, name string, limit int64) (*os.File, error) {
	if size, ok := sizeOf(r); ok && size > limit {
		return nil, FileTooLarge(size, limit)
	}
	tmp, err := os.CreateTemp("", "smsbot-upload-*.csv")
	if err != nil {
		return nil, fmt.Errorf("spool import: %w", err)
	}
	fail := func(err error) (*os.File, error) {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	n, err := io.Copy(tmp, io.LimitReader(r, limit+1))
	switch {
	case n > limit:
		return fail(FileTooLarge(-1, limit))
	case err != nil:
		return fail(fmt.Errorf("read %s: %w", name, err))
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return fail(fmt.Errorf("spool import: %w", err))
	}
	return tmp, nil
}

// sizeOf returns r's length in bytes when r tells it: a Size method (an
// adapter's download of known length) or Stat (an *os.File).
func sizeOf(r io.Reader) (int64, bool) {
	switch r := r.(type) {
	case interface{ Size() int64 }:
		return r.Size(), r.Size() >= 0
	case interface{ Stat() (fs.FileInfo, error) }:
		if st, err := r.Stat(); err == nil && st.Mode().IsRegular() {
			return st.Size(), true
		}
	}
	return 0, false
}

// fmtBytes writes n bytes for people: 812 bytes, 64 KiB, 20 MiB, 1.5 GiB.
// Fractions show one decimal, rounded up when up is set, so a size just
// over a limit never reads as the limit.
func fmtBytes(n int64, up bool) string {
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB"}
	v, i := float64(n), 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if i == 0 {
		return strconv.FormatInt(n, 10) + " bytes"
	}
	if up {
		v = math.Ceil(v*10) / 10
	} else {
		v = math.Round(v*10) / 10
	}
	return strconv.FormatFloat(v, 'f', -1, 64) + " " + units[i]
}
