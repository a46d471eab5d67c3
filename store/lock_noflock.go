//go:build !unix

package store

import (
	"errors"
	"os"
)

// errLocked is never returned where flock(2) is missing.
var errLocked = errors.New("locked")

// flock does nothing on systems without flock(2): the lock file names the
// last process that started, but a second one is not refused there.
func flock(*os.File) error { return nil }
