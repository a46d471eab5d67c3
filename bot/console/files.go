package console

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"smsbot/bot"
	"smsbot/broadcast"
)

// LocalFiles opens files on this machine: the console's /sms import takes
// a path, and keeps the import report next to the file.
type LocalFiles struct{}

var _ bot.Files = LocalFiles{}

// Open opens the file at path.
func (LocalFiles) Open(_ context.Context, path string) (string, io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return "", nil, broadcast.Errorf(broadcast.ENOTFOUND, "there is no file %s", path)
		}
		return "", nil, broadcast.Errorf(broadcast.EINVALID, "cannot open %s: %v", path, err)
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return "", nil, broadcast.Errorf(broadcast.EINVALID, "%s is a folder, not a CSV file", path)
	}
	return path, f, nil
}

// SaveReport copies the report to <input without extension>.report.csv.
func (LocalFiles) SaveReport(_ context.Context, input, path string) (string, error) {
	dest := strings.TrimSuffix(input, filepath.Ext(input)) + ".report.csv"
	src, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer src.Close()
	out, err := os.Create(dest)
	if err != nil {
		return "", fmt.Errorf("write %s: %w", dest, err)
	}
	if _, err := io.Copy(out, src); err != nil {
		out.Close()
		return "", fmt.Errorf("write %s: %w", dest, err)
	}
	return dest, out.Close()
}

// Attach writes a shared file (a chart, an export) to the console's
// folder and says where.
func (c *Console) Attach(_ context.Context, name string, data []byte, _ string) (string, error) {
	path := filepath.Join(c.cfg.Dir, filepath.Base(name))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return path, nil
}
