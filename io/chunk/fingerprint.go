package chunk

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"time"

	"github.com/bertbatch/bertbatch/io/inputfile"
)

// Fingerprint identifies the input behind a row range of one file, so that a
// resumed run can tell that rows it committed came from input that has since
// changed. Digest decides; Size and ModTime are the file's when the
// fingerprint was taken, kept to say what differs.
type Fingerprint struct {
	Size    int64
	ModTime time.Time
	Method  Method
	Digest  string // lowercase hex SHA-256 of what Method says
}

// Method says how a fingerprint's digest was computed; each input format has
// one.
type Method = string

// Fingerprint methods.
const (
	// MethodParquet hashes the footer metadata of the row groups holding the
	// rows: their first row and row count, byte sizes, and each column
	// chunk's path, offsets, sizes, value count and statistics, after the
	// file's schema.
	MethodParquet Method = "parquet-row-groups"
	// MethodArrow hashes the schema, then the row count and every buffer of
	// each record batch holding the rows.
	MethodArrow Method = "arrow-batches"
	// MethodText hashes the file's bytes from the start of the range's first
	// row to the end of its last row (CSV, TSV and JSON Lines).
	MethodText Method = "sha256-rows"
)

// Fingerprinter takes fingerprints of row ranges of one file. It is not safe
// for concurrent use.
type Fingerprinter interface {
	// Fingerprint fingerprints rows [start, end). When the file holds fewer
	// than end rows it returns a *ShortError.
	Fingerprint(start, end int64) (Fingerprint, error)
	// Close releases the file.
	Close() error
}

// ShortError says that a file holds fewer rows than a fingerprinted range
// needs: it shrank since the range was read.
type ShortError struct {
	File string
	Rows int64 // the rows the file holds now
	End  int64 // one past the range's last row
}

func (e *ShortError) Error() string {
	return fmt.Sprintf("%s: the file now holds %d rows, fewer than the %d the range needs", e.File, e.Rows, e.End)
}

// Stat returns a file's (or an object's, see io/inputfile) size and
// modification time, in UTC.
func Stat(path string) (int64, time.Time, error) {
	st, err := inputfile.Stat(path)
	if err != nil {
		return 0, time.Time{}, err
	}
	return st.Size, st.ModTime, nil
}

// Digest builds a fingerprint's digest from typed fields, each written with
// its length so that no two sequences of fields hash alike.
type Digest struct{ h hash.Hash }

// NewDigest starts a digest.
func NewDigest() *Digest { return &Digest{h: sha256.New()} }

// Int adds integers.
func (d *Digest) Int(vs ...int64) {
	for _, v := range vs {
		d.h.Write(binary.LittleEndian.AppendUint64(nil, uint64(v)))
	}
}

// Bytes adds a byte string, prefixed by its length.
func (d *Digest) Bytes(b []byte) {
	d.Int(int64(len(b)))
	d.h.Write(b)
}

// String adds a string, prefixed by its length.
func (d *Digest) String(s string) { d.Bytes([]byte(s)) }

// Hex returns the digest as lowercase hex.
func (d *Digest) Hex() string { return hex.EncodeToString(d.h.Sum(nil)) }
