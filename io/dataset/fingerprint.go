package dataset

import (
	"errors"
	"fmt"
	"time"

	"github.com/bertbatch/bertbatch/io/arrowio"
	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/csvio"
	"github.com/bertbatch/bertbatch/io/jsonlio"
	"github.com/bertbatch/bertbatch/io/parquetio"
)

// Fingerprints takes fingerprints of row ranges of the dataset's files, each
// file by its format's rule (see chunk.Method), keeping one fingerprinter a
// file open until Close. It notes each file's size and modification time
// when it is made, and refuses to fingerprint a file whose size or
// modification time changed since: rows read before the change would be
// recorded with a fingerprint taken after it. Make it before reading the
// files. It is not safe for concurrent use.
type Fingerprints struct {
	files map[string]File
	seen  map[string]fileStat
	open  map[string]chunk.Fingerprinter
}

// fileStat is a file's size and modification time.
type fileStat struct {
	size  int64
	mtime time.Time
}

// Fingerprints returns a fingerprinter of the dataset's files.
func (d *Dataset) Fingerprints() *Fingerprints {
	fs := &Fingerprints{files: map[string]File{}, seen: map[string]fileStat{}, open: map[string]chunk.Fingerprinter{}}
	for _, f := range d.files {
		fs.files[f.Path] = f
		if size, mtime, err := chunk.Stat(f.Path); err == nil {
			fs.seen[f.Path] = fileStat{size, mtime}
		}
	}
	return fs
}

// Has reports whether path is one of the dataset's files.
func (fs *Fingerprints) Has(path string) bool {
	_, ok := fs.files[path]
	return ok
}

// Of fingerprints rows [start, end) of the file path. It returns a
// *chunk.ShortError when the file holds fewer than end rows.
func (fs *Fingerprints) Of(path string, start, end int64) (chunk.Fingerprint, error) {
	if err := fs.unchanged(path); err != nil {
		return chunk.Fingerprint{}, err
	}
	fp, ok := fs.open[path]
	if !ok {
		f, known := fs.files[path]
		if !known {
			return chunk.Fingerprint{}, fmt.Errorf("%s is not an input file of this job", path)
		}
		var err error
		if fp, err = newFingerprinter(f); err != nil {
			return chunk.Fingerprint{}, err
		}
		fs.open[path] = fp
	}
	fpr, err := fp.Fingerprint(start, end)
	var short *chunk.ShortError
	if err != nil && !errors.As(err, &short) {
		return chunk.Fingerprint{}, fmt.Errorf("fingerprint rows %d to %d of %s: %w", start, end, path, err)
	}
	return fpr, err
}

// unchanged fails when path's size or modification time is not what it was
// when fs was made.
func (fs *Fingerprints) unchanged(path string) error {
	was, ok := fs.seen[path]
	if !ok {
		return nil
	}
	size, mtime, err := chunk.Stat(path)
	if err != nil {
		return err
	}
	if size != was.size || !mtime.Equal(was.mtime) {
		return fmt.Errorf("%s changed while this run was reading it (now %d bytes, modified %s; it had %d bytes, modified %s when the run started); "+
			"leave input files alone while a job runs, then rerun it", path, size, mtime.Format(time.RFC3339Nano), was.size, was.mtime.Format(time.RFC3339Nano))
	}
	return nil
}

// newFingerprinter returns the fingerprinter of f's format.
func newFingerprinter(f File) (chunk.Fingerprinter, error) {
	switch f.Format {
	case FormatParquet:
		return parquetio.NewFingerprinter(f.Path), nil
	case FormatArrow, FormatArrowStream:
		return arrowio.NewFingerprinter(f.Path), nil
	case FormatCSV:
		return csvio.NewFingerprinter(f.Path, csvio.Options{}), nil
	case FormatTSV:
		return csvio.NewFingerprinter(f.Path, csvio.Options{Delimiter: '\t'}), nil
	case FormatJSONL:
		return jsonlio.NewFingerprinter(f.Path), nil
	}
	return nil, fmt.Errorf("%s: unsupported format %q", f.Path, f.Format)
}

// Close closes every file opened.
func (fs *Fingerprints) Close() error {
	var errs []error
	for path, fp := range fs.open {
		errs = append(errs, fp.Close())
		delete(fs.open, path)
	}
	return errors.Join(errs...)
}
