package csvio

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"

	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/inputfile"
)

// NewFingerprinter returns a fingerprinter of the CSV (or, with
// opts.Delimiter, TSV) file path: the SHA-256 of a row range's bytes
// (chunk.MethodText). Rows are the records after the header, as Read counts
// them; the header belongs to no row.
func NewFingerprinter(path string, opts Options) chunk.Fingerprinter {
	if opts.Delimiter == 0 {
		opts.Delimiter = ','
	}
	return chunk.NewTextRows(path, func() (chunk.RowBounds, error) {
		return openRecordBounds(path, opts.Delimiter)
	})
}

// recordBounds finds the records of a CSV file.
type recordBounds struct {
	f     inputfile.File
	cr    *csv.Reader
	bom   int64 // bytes of the byte-order mark the csv.Reader does not see
	first int64
}

func openRecordBounds(path string, delimiter rune) (*recordBounds, error) {
	f, err := inputfile.Open(path)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(f, 1<<16)
	b := &recordBounds{f: f}
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
		b.bom = 3
	}
	b.cr = csv.NewReader(br)
	b.cr.Comma = delimiter
	b.cr.ReuseRecord = true
	if _, err := b.cr.Read(); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: read the header row: %w", path, err)
	}
	b.first = b.bom + b.cr.InputOffset()
	return b, nil
}

func (b *recordBounds) First() int64 { return b.first }

func (b *recordBounds) Next() (int64, error) {
	if _, err := b.cr.Read(); err != nil {
		return 0, err // io.EOF after the last record
	}
	return b.bom + b.cr.InputOffset(), nil
}

func (b *recordBounds) Close() error { return b.f.Close() }
