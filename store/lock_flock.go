//go:build unix

package store

import (
	"errors"
	"os"
	"syscall"
)

// errLocked is flock's error when another open file holds the lock.
var errLocked = syscall.EWOULDBLOCK

// flock takes an exclusive flock(2) on f without waiting. The kernel
// drops it when f is closed or the process ends.
func flock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}
