package stages

import (
	"errors"
	"fmt"
	"io/fs"
)

// fileError is an error writing the output file name, on one line naming the file and the output
// folder. A file system error (a full disk, a quota, a read-only folder) keeps only its cause: the
// path it names is the file's temporary name, which no longer exists.
func (w *writer) fileError(name string, err error) error {
	var pe *fs.PathError
	for errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("writing %s in the output folder %s: %w", name, w.dir.Path(), err)
}
