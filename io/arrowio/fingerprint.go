package arrowio

import (
	"io"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/bertbatch/bertbatch/io/chunk"
)

// Fingerprinter fingerprints row ranges of one Arrow IPC file or stream
// (chunk.MethodArrow): a range's digest covers the schema and the record
// batches holding its rows, their row counts and the bytes of every buffer,
// so copying the file (a new modification time) leaves it unchanged. It reads
// the file once, keeping a digest per batch, and again only when the file's
// size or modification time changed.
type Fingerprinter struct {
	path    string
	size    int64
	mtime   time.Time
	schema  string
	batches []batchPrint
	read    bool
}

// batchPrint is one record batch's place and digest.
type batchPrint struct {
	first, rows int64
	digest      string
}

// NewFingerprinter returns a fingerprinter of the Arrow file path.
func NewFingerprinter(path string) *Fingerprinter { return &Fingerprinter{path: path} }

// Fingerprint fingerprints rows [start, end) (see chunk.Fingerprinter).
func (p *Fingerprinter) Fingerprint(start, end int64) (chunk.Fingerprint, error) {
	size, mtime, err := chunk.Stat(p.path)
	if err != nil {
		return chunk.Fingerprint{}, err
	}
	if !p.read || size != p.size || !mtime.Equal(p.mtime) {
		if err := p.readBatches(); err != nil {
			return chunk.Fingerprint{}, err
		}
		p.size, p.mtime, p.read = size, mtime, true
	}
	rows := int64(0)
	if n := len(p.batches); n > 0 {
		rows = p.batches[n-1].first + p.batches[n-1].rows
	}
	if rows < end {
		return chunk.Fingerprint{}, &chunk.ShortError{File: p.path, Rows: rows, End: end}
	}
	d := chunk.NewDigest()
	d.String(p.schema)
	for _, b := range p.batches {
		if b.first < end && start < b.first+b.rows {
			d.Int(b.first, b.rows)
			d.String(b.digest)
		}
	}
	return chunk.Fingerprint{Size: size, ModTime: mtime, Method: chunk.MethodArrow, Digest: d.Hex()}, nil
}

// readBatches reads the schema and a digest of every record batch.
func (p *Fingerprinter) readBatches() error {
	r := &Reader{path: p.path, mem: memory.DefaultAllocator}
	p.batches = p.batches[:0]
	return r.withBatches(func(schema *arrow.Schema, next func() (arrow.RecordBatch, error)) error {
		p.schema = schema.String()
		first := int64(0)
		for {
			rec, err := next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			d := chunk.NewDigest()
			for _, col := range rec.Columns() {
				digestData(d, col.Data())
			}
			p.batches = append(p.batches, batchPrint{first: first, rows: rec.NumRows(), digest: d.Hex()})
			first += rec.NumRows()
			rec.Release()
		}
	})
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

// Close releases nothing: the file is read whole and closed by Fingerprint.
func (p *Fingerprinter) Close() error { return nil }
