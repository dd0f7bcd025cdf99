package arrowio

import (
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/bertbatch/bertbatch/io/chunk"
)

// Fingerprinter fingerprints row ranges of one Arrow IPC file or stream
// (chunk.MethodArrow): a range's digest covers the schema and the record
// batches holding its rows, their row counts and the bytes of every buffer,
// so copying the file (a new modification time) leaves it unchanged.
type Fingerprinter struct{ path string }

// NewFingerprinter returns a fingerprinter of the Arrow file path.
func NewFingerprinter(path string) *Fingerprinter { return &Fingerprinter{path: path} }

// Fingerprint fingerprints rows [start, end) (see chunk.Fingerprinter).
func (p *Fingerprinter) Fingerprint(start, end int64) (chunk.Fingerprint, error) {
	size, mtime, err := chunk.Stat(p.path)
	if err != nil {
		return chunk.Fingerprint{}, err
	}
	r := &Reader{path: p.path, mem: memory.DefaultAllocator}
	d := chunk.NewDigest()
	first := int64(0)
	err = r.withBatches(func(schema *arrow.Schema, next func() (arrow.RecordBatch, error)) error {
		d.String(schema.String())
		for first < end {
			rec, err := next()
			if err == io.EOF {
				return &chunk.ShortError{File: p.path, Rows: first, End: end}
			}
			if err != nil {
				return err
			}
			if start < first+rec.NumRows() {
				d.Int(first, rec.NumRows())
				for _, col := range rec.Columns() {
					digestData(d, col.Data())
				}
			}
			first += rec.NumRows()
			rec.Release()
		}
		return nil
	})
	if err != nil {
		return chunk.Fingerprint{}, err
	}
	return chunk.Fingerprint{Size: size, ModTime: mtime, Method: chunk.MethodArrow, Digest: d.Hex()}, nil
}

// digestData adds an array's length, offset, buffers, children and dictionary.
func digestData(d *chunk.Digest, a arrow.ArrayData) {
	d.Int(int64(a.Len()), int64(a.Offset()), int64(len(a.Buffers())))
	for _, b := range a.Buffers() {
		if b == nil {
			d.Int(-1)
			continue
		}
		d.Bytes(b.Bytes())
	}
	d.Int(int64(len(a.Children())))
	for _, c := range a.Children() {
		digestData(d, c)
	}
	if dict, ok := a.Dictionary().(*array.Data); ok && dict != nil {
		d.Int(1)
		digestData(d, dict)
	} else {
		d.Int(0)
	}
}

// Close releases nothing: each Fingerprint reads the file afresh.
func (p *Fingerprinter) Close() error { return nil }
