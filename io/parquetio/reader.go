package parquetio

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/inputfile"
)

// Reader reads one Parquet file. It is not safe for concurrent use.
type Reader struct {
	path   string
	f      io.Closer
	pf     *file.Reader
	fr     *pqarrow.FileReader
	schema *arrow.Schema
}

// Source is what a Parquet file is read through: the footer and each
// needed column chunk are read at their offsets.
type Source interface {
	io.ReaderAt
	io.Seeker
	io.Closer
}

// remoteBufferSize is how much of a column chunk one read of an object
// fetches: each read is a request, so it is much larger than the local
// default (parquet.DefaultBufSize).
const remoteBufferSize = 4 << 20

// Open opens path (a local file, or an object: see io/inputfile) and reads
// its footer and schema. mem allocates the decoded data (nil means the
// default Go allocator).
func Open(path string, mem memory.Allocator) (*Reader, error) {
	f, err := inputfile.Open(path)
	if err != nil {
		return nil, err
	}
	bufferSize := int64(0)
	if inputfile.IsRemote(path) {
		bufferSize = remoteBufferSize
	}
	return OpenSource(path, f, bufferSize, mem)
}

// OpenSource reads the footer and schema of the Parquet file f, named path
// in messages and units. Column chunks are read through buffers of
// bufferSize bytes (0: parquet.DefaultBufSize). The Reader owns f: it is
// closed by Close, or here when OpenSource fails.
func OpenSource(path string, f Source, bufferSize int64, mem memory.Allocator) (r *Reader, err error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if size == 0 {
		return nil, fmt.Errorf("%s: file is empty (0 bytes), not a Parquet file; remove it or rewrite it", path)
	}
	defer recoverCorrupt(path, &err)
	props := parquet.NewReaderProperties(mem)
	props.BufferedStreamEnabled = true
	if bufferSize > 0 {
		props.BufferSize = bufferSize
	}
	pf, err := file.NewParquetReader(f, file.WithReadProps(props))
	if err != nil {
		return nil, corrupt(path, err)
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, mem)
	if err != nil {
		return nil, corrupt(path, err)
	}
	schema, err := fr.Schema()
	if err != nil {
		return nil, corrupt(path, err)
	}
	return &Reader{path: path, f: f, pf: pf, fr: fr, schema: schema}, nil
}

// Schema returns the file's Arrow schema (from the stored Arrow schema when
// the file has one, else derived from the Parquet schema).
func (r *Reader) Schema() *arrow.Schema { return r.schema }

// NumRows returns the number of rows in the file, from its metadata.
func (r *Reader) NumRows() int64 { return r.pf.NumRows() }

// Close closes the file.
func (r *Reader) Close() error { return r.f.Close() }

// Units lists the file's units: each row group in order, split into slices of
// at most maxRows rows. Empty row groups have no unit.
func (r *Reader) Units(maxRows int64) []chunk.Unit {
	var units []chunk.Unit
	for _, rg := range r.rowGroupUnits(maxRows) {
		units = append(units, rg...)
	}
	return units
}

// rowGroupUnits returns the units of each row group, indexed by row group.
func (r *Reader) rowGroupUnits(maxRows int64) [][]chunk.Unit {
	groups := make([][]chunk.Unit, r.pf.NumRowGroups())
	var start int64
	index := 0
	for rg := range groups {
		n := r.pf.MetaData().RowGroup(rg).NumRows()
		for off := int64(0); off < n; off += maxRows {
			groups[rg] = append(groups[rg], chunk.Unit{File: r.path, Index: index, RowStart: start + off, Rows: min(maxRows, n-off)})
			index++
		}
		start += n
	}
	return groups
}

// Read emits the named columns of every unit not skipped, in file order
// (see Units). The record's columns follow the order of columns.
func (r *Reader) Read(ctx context.Context, columns []string, maxRows int64, skip chunk.Skip, emit chunk.Emit) error {
	if maxRows <= 0 {
		return fmt.Errorf("parquetio: maxRows must be positive, got %d", maxRows)
	}
	leaves, err := r.leaves(columns)
	if err != nil {
		return err
	}
	for rg, units := range r.rowGroupUnits(maxRows) {
		if err := r.readRowGroup(ctx, rg, leaves, columns, maxRows, units, skip, emit); err != nil {
			return err
		}
	}
	return nil
}

// readRowGroup emits the units of row group rg that skip does not mark done.
// A row group whose units are all done is not read at all. Otherwise the
// group is decoded from its first row, unit by unit, up to its last unit
// not done; the done units among them are decoded and dropped. The reader is
// never positioned inside the group: arrow-go's SeekToRow returns wrong rows
// or false errors when the target row is not at the start of a data page
// (list columns in version 1 data pages, whose headers carry no row count).
func (r *Reader) readRowGroup(ctx context.Context, rg int, leaves []int, columns []string, maxRows int64,
	units []chunk.Unit, skip chunk.Skip, emit chunk.Emit) error {
	last := len(units) - 1
	for last >= 0 && skip.Has(units[last]) {
		last--
	}
	if last < 0 {
		return nil
	}
	rr, err := r.openRowGroup(ctx, rg, leaves, maxRows)
	if err != nil {
		return err
	}
	defer rr.Release()
	for _, u := range units[:last+1] {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := r.next(rr, rg, u)
		if err != nil {
			return err
		}
		if skip.Has(u) {
			continue
		}
		if err := r.emit(rec, columns, u, emit); err != nil {
			return err
		}
	}
	return nil
}

// openRowGroup returns a reader of row group rg in batches of maxRows rows,
// from the group's first row.
func (r *Reader) openRowGroup(ctx context.Context, rg int, leaves []int, maxRows int64) (rr pqarrow.RecordReader, err error) {
	defer recoverCorruptAt(r.path, fmt.Sprintf("row group %d", rg), &err)
	r.fr.Props.BatchSize = maxRows
	rr, err = r.fr.GetRecordReader(ctx, leaves, []int{rg})
	if err != nil {
		return nil, corrupt(r.path, fmt.Errorf("row group %d: %w", rg, err))
	}
	return rr, nil
}

// next decodes the batch of unit u from rr. The batch belongs to rr.
func (r *Reader) next(rr pqarrow.RecordReader, rg int, u chunk.Unit) (rec arrow.RecordBatch, err error) {
	where := fmt.Sprintf("row group %d, unit %d (rows %d..%d)", rg, u.Index, u.RowStart, u.RowStart+u.Rows)
	defer recoverCorruptAt(r.path, where, &err)
	if !rr.Next() {
		err := rr.Err()
		if err == nil {
			err = errors.New("fewer rows than its metadata says")
		}
		return nil, corrupt(r.path, fmt.Errorf("%s: %w", where, err))
	}
	return rr.RecordBatch(), nil
}

// emit projects rec onto columns in order and hands it to emit as unit u.
func (r *Reader) emit(rec arrow.RecordBatch, columns []string, u chunk.Unit, emit chunk.Emit) error {
	if rec.NumRows() != u.Rows {
		return corrupt(r.path, fmt.Errorf("unit %s: read %d rows, metadata says %d", u, rec.NumRows(), u.Rows))
	}
	fields := make([]arrow.Field, len(columns))
	cols := make([]arrow.Array, len(columns))
	for i, name := range columns {
		idx := rec.Schema().FieldIndices(name)
		if len(idx) != 1 {
			return fmt.Errorf("%s: column %q: found %d times in the decoded row group", r.path, name, len(idx))
		}
		fields[i] = rec.Schema().Field(idx[0])
		cols[i] = rec.Column(idx[0])
	}
	out := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, u.Rows)
	return emit(chunk.Chunk{Unit: u, Record: out})
}

// leaves returns the Parquet leaf column indices of the named top-level columns.
func (r *Reader) leaves(columns []string) ([]int, error) {
	var leaves []int
	for _, name := range columns {
		found := false
		for i := range r.fr.Manifest.Fields {
			if r.fr.Manifest.Fields[i].Field.Name == name {
				leaves = appendLeaves(leaves, &r.fr.Manifest.Fields[i])
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("%s: column %q not found; the file has %s", r.path, name, fieldNames(r.schema))
		}
	}
	return leaves, nil
}

func appendLeaves(dst []int, f *pqarrow.SchemaField) []int {
	if f.IsLeaf() {
		return append(dst, f.ColIndex)
	}
	for i := range f.Children {
		dst = appendLeaves(dst, &f.Children[i])
	}
	return dst
}

// fieldNames lists a schema's column names for error messages.
func fieldNames(s *arrow.Schema) string {
	names := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		names[i] = fmt.Sprintf("%q", f.Name)
	}
	return fmt.Sprint(names)
}
