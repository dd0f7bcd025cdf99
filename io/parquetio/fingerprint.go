package parquetio

import (
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"

	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/inputfile"
)

// Fingerprinter fingerprints row ranges of one Parquet file from its footer
// (chunk.MethodParquet): a range's digest covers the row groups holding its
// rows, so rewriting other row groups, or copying the file (a new
// modification time), leaves it unchanged. It reads the footer again when
// the file's size or modification time changed.
type Fingerprinter struct {
	path  string
	pf    *file.Reader
	size  int64
	mtime time.Time
}

// NewFingerprinter returns a fingerprinter of the Parquet file path.
func NewFingerprinter(path string) *Fingerprinter { return &Fingerprinter{path: path} }

// Fingerprint fingerprints rows [start, end) (see chunk.Fingerprinter).
func (p *Fingerprinter) Fingerprint(start, end int64) (chunk.Fingerprint, error) {
	size, mtime, err := chunk.Stat(p.path)
	if err != nil {
		return chunk.Fingerprint{}, err
	}
	if p.pf == nil || size != p.size || !mtime.Equal(p.mtime) {
		if err := p.Close(); err != nil {
			return chunk.Fingerprint{}, err
		}
		if p.pf, err = openFooter(p.path); err != nil {
			return chunk.Fingerprint{}, err
		}
		p.size, p.mtime = size, mtime
	}
	md := p.pf.MetaData()
	if rows := md.NumRows; rows < end {
		return chunk.Fingerprint{}, &chunk.ShortError{File: p.path, Rows: rows, End: end}
	}
	d := chunk.NewDigest()
	d.String(md.Schema.String())
	first := int64(0)
	for i := range md.NumRowGroups() {
		rg := md.RowGroup(i)
		if first < end && start < first+rg.NumRows() {
			if err := digestRowGroup(d, rg, i, first); err != nil {
				return chunk.Fingerprint{}, fmt.Errorf("%s: row group %d: %w", p.path, i, err)
			}
		}
		first += rg.NumRows()
	}
	return chunk.Fingerprint{Size: size, ModTime: mtime, Method: chunk.MethodParquet, Digest: d.Hex()}, nil
}

// digestRowGroup adds what the footer says of one row group.
func digestRowGroup(d *chunk.Digest, rg *metadata.RowGroupMetaData, index int, first int64) error {
	d.Int(int64(index), first, rg.NumRows(), rg.TotalByteSize(), int64(rg.NumColumns()))
	for j := range rg.NumColumns() {
		cc, err := rg.ColumnChunk(j)
		if err != nil {
			return err
		}
		d.String(cc.PathInSchema().String())
		d.Int(cc.FileOffset(), cc.DataPageOffset(), cc.DictionaryPageOffset(), cc.TotalCompressedSize(),
			cc.TotalUncompressedSize(), cc.NumValues(), int64(cc.Compression()))
		stats, err := cc.Statistics()
		if err != nil {
			return err
		}
		if stats == nil {
			d.Int(0)
			continue
		}
		d.Int(1, stats.NullCount())
		if stats.HasMinMax() {
			d.Bytes(stats.EncodeMin())
			d.Bytes(stats.EncodeMax())
		}
	}
	return nil
}

// openFooter opens path (a file or an object) and reads its footer,
// turning a panic of the Parquet library on a corrupt file into an error.
func openFooter(path string) (pf *file.Reader, err error) {
	f, err := inputfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	defer recoverCorrupt(path, &err)
	pf, err = file.NewParquetReader(f)
	if err != nil {
		return nil, corrupt(path, err)
	}
	return pf, nil
}

// Close releases the file.
func (p *Fingerprinter) Close() error {
	if p.pf == nil {
		return nil
	}
	err := p.pf.Close()
	p.pf = nil
	return err
}
