package chunk

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/bertbatch/bertbatch/io/inputfile"
)

// RowBounds reads a text file row by row: First returns the byte offset
// where the first row's bytes start, and Next the offset just past the next
// row (io.EOF after the last). Blank lines or a header before a row belong to
// it or to no row, as the format says, but always the same way.
type RowBounds interface {
	First() int64
	Next() (int64, error)
	Close() error
}

// TextRows fingerprints row ranges of a text file by the SHA-256 of their
// bytes (MethodText). It scans rows forward from the last range asked for
// and starts over from the top when asked for an earlier one or when the
// file's size or modification time changed, so ranges asked for in order
// cost one pass over the file.
type TextRows struct {
	path   string
	open   func() (RowBounds, error)
	bounds RowBounds
	row    int64 // rows passed
	offset int64 // where row `row` starts
	size   int64
	mtime  time.Time
}

// NewTextRows returns a fingerprinter of path whose rows open finds.
func NewTextRows(path string, open func() (RowBounds, error)) *TextRows {
	return &TextRows{path: path, open: open}
}

// Fingerprint fingerprints rows [start, end) (see Fingerprinter).
func (t *TextRows) Fingerprint(start, end int64) (Fingerprint, error) {
	size, mtime, err := Stat(t.path)
	if err != nil {
		return Fingerprint{}, err
	}
	if t.bounds == nil || start < t.row || size != t.size || !mtime.Equal(t.mtime) {
		if err := t.restart(size, mtime); err != nil {
			return Fingerprint{}, err
		}
	}
	if err := t.advance(start, end); err != nil {
		return Fingerprint{}, err
	}
	from := t.offset
	if err := t.advance(end, end); err != nil {
		return Fingerprint{}, err
	}
	digest, err := hashRange(t.path, from, t.offset)
	if err != nil {
		return Fingerprint{}, err
	}
	return Fingerprint{Size: size, ModTime: mtime, Method: MethodText, Digest: digest}, nil
}

func (t *TextRows) restart(size int64, mtime time.Time) error {
	if err := t.Close(); err != nil {
		return err
	}
	b, err := t.open()
	if err != nil {
		return err
	}
	t.bounds, t.row, t.offset, t.size, t.mtime = b, 0, b.First(), size, mtime
	return nil
}

// advance passes rows until row to starts next; end is the range's end, for
// the message when the file ends first.
func (t *TextRows) advance(to, end int64) error {
	for t.row < to {
		next, err := t.bounds.Next()
		if errors.Is(err, io.EOF) {
			return &ShortError{File: t.path, Rows: t.row, End: end}
		}
		if err != nil {
			return err
		}
		t.row, t.offset = t.row+1, next
	}
	return nil
}

// Close releases the file.
func (t *TextRows) Close() error {
	if t.bounds == nil {
		return nil
	}
	err := t.bounds.Close()
	t.bounds = nil
	return err
}

// hashRange returns the hex SHA-256 of path's bytes [from, to), read in
// sequence (for an object: one streaming request).
func hashRange(path string, from, to int64) (string, error) {
	f, err := inputfile.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		return "", fmt.Errorf("%s: seek to byte %d: %w", path, from, err)
	}
	h := sha256.New()
	n, err := io.CopyN(h, f, to-from)
	if err == io.EOF {
		err = nil // reported below as a short file
	}
	if err != nil {
		return "", fmt.Errorf("%s: read bytes %d to %d: %w", path, from, to, err)
	}
	if n != to-from {
		return "", fmt.Errorf("%s: bytes %d to %d: the file ends at %d", path, from, to, from+n)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
