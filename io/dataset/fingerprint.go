package dataset

import (
	"errors"
	"fmt"

	"github.com/bertbatch/bertbatch/io/arrowio"
	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/csvio"
	"github.com/bertbatch/bertbatch/io/jsonlio"
	"github.com/bertbatch/bertbatch/io/parquetio"
)

// Fingerprints takes fingerprints of row ranges of the dataset's files, each
// file by its format's rule (see chunk.Method), keeping one fingerprinter a
// file open until Close. It is not safe for concurrent use.
type Fingerprints struct {
	files map[string]File
	open  map[string]chunk.Fingerprinter
}

// Fingerprints returns a fingerprinter of the dataset's files.
func (d *Dataset) Fingerprints() *Fingerprints {
	fs := &Fingerprints{files: map[string]File{}, open: map[string]chunk.Fingerprinter{}}
	for _, f := range d.files {
		fs.files[f.Path] = f
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
