//go:build !unix

package hub

import (
	"errors"
	"os"
)

// flockExclusive is unavailable here: sharing a cache between processes needs flock(2).
func flockExclusive(*os.File) (bool, error) {
	return false, errors.New("file locks are not supported on this platform")
}
