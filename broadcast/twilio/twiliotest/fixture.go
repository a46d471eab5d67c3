package twiliotest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Fixture returns the recorded Twilio payload testdata/twilio/<name> of
// this module: error documents, gateway pages, a message resource, a list
// page (see the README there). The fake serves its gateway pages from
// there, and tests of any package compare answers against them.
//
// go:embed cannot reach a parent directory, so Fixture finds the module
// root by walking up from the working directory to the first go.mod. Go
// runs every test in its package's directory, so this works from any
// package of the module, also with -trimpath (where runtime.Caller paths
// are not file paths).
func Fixture(name string) ([]byte, error) {
	dir, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("twiliotest: fixture %s: %w", name, err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			b, err := os.ReadFile(filepath.Join(dir, "testdata", "twilio", name))
			if err != nil {
				return nil, fmt.Errorf("twiliotest: fixture: %w", err)
			}
			return b, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("twiliotest: fixture %s: %w", name, err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, fmt.Errorf("twiliotest: fixture %s: no go.mod above the working directory", name)
		}
		dir = parent
	}
}

// pages are the HTML bodies the fake answers with when a gateway in front
// of Twilio fails, read once per Server from the fixtures.
type pages struct {
	badGateway, gatewayTimeout, proxy []byte
}

// loadPages reads the gateway pages. It panics if they are missing: the
// fake is for tests of this module, and a missing fixture is a broken
// checkout, not a condition to handle.
func loadPages() pages {
	read := func(name string) []byte {
		b, err := Fixture(name)
		if err != nil {
			panic(err.Error())
		}
		return b
	}
	return pages{
		badGateway:     read("gateway_502.html"),
		gatewayTimeout: read("gateway_504.html"),
		proxy:          read("proxy_200.html"),
	}
}
