//go:build !unix

package outdir

import (
	"errors"
	"os"
	"runtime"
)

var errWouldBlock = errors.New("lock is held")

// tryLock fails: output folder locking needs flock, which this system lacks.
func tryLock(*os.File) error {
	return errors.New("locking an output folder is not supported on " + runtime.GOOS)
}
