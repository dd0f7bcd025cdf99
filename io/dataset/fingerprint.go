package dataset

import (
	"errors"
	"fmt"
	"time"

	"github.com/bertbatch/bertbatch/io/arrowio"
	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/csvio"
	"github.com/bertbatch/bertbatch/io/inputfile"
	"github.com/bertbatch/bertbatch/io/jsonlio"
	"github.com/bertbatch/bertbatch/io/parquetio"
)

// Fingerprints takes fingerprints of row ranges of the dataset's files, each
// file by its format's rule (see chunk.Method), keeping one fingerprinter a
// file open until Close. It notes each file's size and modification time
// when it is made (and an object's ETag), and refuses to fingerprint a file
// whose size, modification time or ETag changed since: rows read before the change would be
// recorded with a fingerprint taken after it. Make it before reading the
// files. It is not safe for concurrent use.
type Fingerprints struct {
	files map[string]File
	seen  map[string]inputfile.Info
	open  map[string]chunk.Fingerprinter
}

// Fingerprints returns a fingerprinter of the dataset's files.
func (d *Dataset) Fingerprints() *Fingerprints {
	fs := &Fingerprints{files: map[string]File{}, seen: map[string]inputfile.Info{}, open: map[string]chunk.Fingerprinter{}}
	for _, f := range d.files {
		fs.files[f.Path] = f
		if info, err := inputfile.Stat(f.Path); err == nil {
			fs.seen[f.Path] = info
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

// unchanged fails when path's size, modification time or ETag is not what
// it was when fs was made.
func (fs *Fingerprints) unchanged(path string) error {
	was, ok := fs.seen[path]
	if !ok {
		return nil
	}
	now, err := inputfile.Stat(path)
	if err != nil {
		return err
	}
	if !now.Same(was) {
		return fmt.Errorf("%s changed while this run was reading it (now %s; it had %s when the run started); "+
			"leave input files alone while a job runs, then rerun it", path, describe(now), describe(was))
	}
	return nil
}

// describe words a file's Info for messages.
func describe(i inputfile.Info) string {
	s := fmt.Sprintf("%d bytes, modified %s", i.Size, i.ModTime.Format(time.RFC3339Nano))
	if i.ETag != "" {
		s += ", ETag " + i.ETag
	}
	return s
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
