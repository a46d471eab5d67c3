package discord

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"strings"
)

// defaultUploadLimit is the most bytes Discord takes in one file from a
// bot, a webhook or an interaction response: 10 MiB since January 2025
// (discord-api-docs#7312). Boosted servers allow more; each interaction
// says how much in attachment_size_limit, which the adapter uses when
// present. Over the limit, Discord answers 413 with code 40005.
const defaultUploadLimit = 10 << 20

// sizeLimit reads the attachment_size_limit of an interaction's payload
// (which discordgo does not), or returns defaultUploadLimit.
func sizeLimit(payload []byte) int {
	var v struct {
		Limit int `json:"attachment_size_limit"`
	}
	if json.Unmarshal(payload, &v) != nil || v.Limit <= 0 {
		return defaultUploadLimit
	}
	return v.Limit
}

// upload is one file to attach.
type upload struct {
	name string
	data []byte
}

// pack makes data, a file called name, fit Discord's upload limit (bytes
// per file): as it is when it fits; else zipped; else split into zipped
// parts, at line ends, each CSV part with the header line. note says
// what was done, for people ("" when nothing was).
func pack(name string, data []byte, limit int) (files []upload, note string, err error) {
	if len(data) <= limit {
		return []upload{{name, data}}, "", nil
	}
	over := fmt.Sprintf("%s is over Discord's %s upload limit", size(len(data)), size(limit))
	z, err := zipped(name, data)
	if err != nil {
		return nil, "", err
	}
	if len(z) <= limit {
		return []upload{{name + ".zip", z}}, "zipped: " + over, nil
	}
	header := ""
	if strings.EqualFold(path.Ext(name), ".csv") {
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			header = string(data[:i+1])
		}
	}
	body := data[len(header):]
	// Parts sized by the whole file's ratio, then halved until each fits,
	// with room for the part's name in the zip's headers.
	room := max(limit/2, limit-len(header)-4096)
	parts := lines(body, max(1, int(float64(room)*float64(len(data))/float64(len(z))*0.9)))
	for i := 0; i < len(parts); {
		z, err := zipped(name, append([]byte(header), parts[i]...))
		if err != nil {
			return nil, "", err
		}
		if len(z) <= limit-512 {
			i++
			continue
		}
		if len(parts[i]) <= 1 {
			return nil, "", fmt.Errorf("discord: %s cannot be split under %s", name, size(limit))
		}
		halves := lines(parts[i], (len(parts[i])+1)/2)
		parts = append(parts[:i], append(halves, parts[i+1:]...)...)
	}
	stem, ext := strings.TrimSuffix(name, path.Ext(name)), path.Ext(name)
	for i, p := range parts {
		n := fmt.Sprintf("%s-part%dof%d%s", stem, i+1, len(parts), ext)
		z, err := zipped(n, append([]byte(header), p...))
		if err != nil {
			return nil, "", err
		}
		files = append(files, upload{n + ".zip", z})
	}
	return files, fmt.Sprintf("in %d zipped parts: %s", len(files), over), nil
}

// lines cuts data into chunks of at most n bytes, each ending at a line
// end when there is one in it.
func lines(data []byte, n int) [][]byte {
	var out [][]byte
	for len(data) > n {
		cut := bytes.LastIndexByte(data[:n], '\n') + 1
		if cut == 0 {
			cut = n
		}
		out = append(out, data[:cut])
		data = data[cut:]
	}
	if len(data) > 0 {
		out = append(out, data)
	}
	return out
}

// zipped is a zip archive holding data as name.
func zipped(name string, data []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(path.Base(name))
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// size writes a number of bytes for people: 13.2 MB, 10 MiB.
func size(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d bytes", n)
}
