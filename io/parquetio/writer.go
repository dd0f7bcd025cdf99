package parquetio

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// DefaultRowGroupRows is the default number of rows per row group.
const DefaultRowGroupRows = 16384

// WriterOptions configure a Writer.
type WriterOptions struct {
	// Compression names the codec (see ParseCompression); "" means zstd.
	Compression string
	// Metadata is stored as the file's key-value metadata and as the stored
	// Arrow schema's metadata (pyarrow: schema.metadata; DuckDB:
	// parquet_kv_metadata).
	Metadata map[string]string
	// RowGroupRows bounds the rows per row group; 0 means DefaultRowGroupRows.
	// A row group is buffered in memory until it is full.
	RowGroupRows int64
	// Allocator allocates the write buffers; nil means the default Go allocator.
	Allocator memory.Allocator
}

// Writer writes records into one Parquet file. It is not safe for
// concurrent use.
type Writer struct {
	fw     *pqarrow.FileWriter
	mem    memory.Allocator
	schema *arrow.Schema
	file   *os.File // set by Create
	rows   int64
	// groupRows counts the rows in the current row group, which is full
	// at rowGroupRows.
	groupRows, rowGroupRows int64
	closed                  bool // no more writes
	done                    bool // closed successfully, or aborted
}

// Create creates (or truncates) the file at path and returns a Writer for
// records of the given schema. Close syncs and closes the file; Abort
// removes it.
func Create(path string, schema *arrow.Schema, opts WriterOptions) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	w, err := NewWriter(f, schema, opts)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("%s: %w", path, err), f.Close(), os.Remove(path))
	}
	w.file = f
	return w, nil
}

// NewWriter returns a Writer that writes a Parquet file to out. It never
// closes out.
func NewWriter(out io.Writer, schema *arrow.Schema, opts WriterOptions) (*Writer, error) {
	codec, err := ParseCompression(opts.Compression)
	if err != nil {
		return nil, err
	}
	if opts.RowGroupRows == 0 {
		opts.RowGroupRows = DefaultRowGroupRows
	}
	if opts.RowGroupRows < 0 {
		return nil, fmt.Errorf("rows per row group must be positive, got %d", opts.RowGroupRows)
	}
	if opts.Allocator == nil {
		opts.Allocator = memory.DefaultAllocator
	}
	if err := checkNames(schema); err != nil {
		return nil, err
	}
	props := []parquet.WriterProperty{
		parquet.WithAllocator(opts.Allocator),
		parquet.WithCompression(codec),
		parquet.WithMaxRowGroupLength(opts.RowGroupRows),
		parquet.WithDictionaryDefault(false),
	}
	for _, f := range schema.Fields() {
		if isStringLike(f.Type) {
			props = append(props, parquet.WithDictionaryFor(f.Name, true))
		}
	}
	keys := slices.Sorted(maps.Keys(opts.Metadata))
	values := make([]string, len(keys))
	for i, k := range keys {
		values[i] = opts.Metadata[k]
	}
	meta := arrow.NewMetadata(keys, values)
	stored := arrow.NewSchema(schema.Fields(), &meta)
	wo := &writeOnly{Writer: out}
	fw, err := pqarrow.NewFileWriter(stored, wo, parquet.NewWriterProperties(props...),
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(opts.Allocator)))
	if err != nil && wo.err != nil { // the file's first bytes could not be written (a full disk)
		return nil, fmt.Errorf("writing the Parquet header: %w", wo.err)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot write columns %s to Parquet: %w", fieldList(schema), err)
	}
	return &Writer{fw: fw, schema: stored, rowGroupRows: opts.RowGroupRows, mem: opts.Allocator}, nil
}

// writeOnly hides any Close method of the wrapped writer from pqarrow,
// which would otherwise close it, and keeps the first write error.
type writeOnly struct {
	io.Writer
	err error
}

func (w *writeOnly) Write(p []byte) (int, error) {
	n, err := w.Writer.Write(p)
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}

// fieldList describes a schema's columns on one line: name type, ….
func fieldList(schema *arrow.Schema) string {
	parts := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		parts[i] = fmt.Sprintf("%s %s", f.Name, f.Type)
	}
	return strings.Join(parts, ", ")
}

// checkNames rejects empty and repeated column names.
func checkNames(schema *arrow.Schema) error {
	seen := map[string]bool{}
	for _, f := range schema.Fields() {
		if f.Name == "" {
			return errors.New("output column with an empty name")
		}
		if seen[f.Name] {
			return fmt.Errorf("output column %q appears twice; rename a passthrough column or the new column", f.Name)
		}
		seen[f.Name] = true
	}
	return nil
}

func isStringLike(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
		return true
	}
	return false
}

// Write appends the rows of rec, whose fields must equal the writer's
// schema's fields. Full row groups are written out as they fill.
func (w *Writer) Write(rec arrow.RecordBatch) error {
	if w.closed {
		return errors.New("parquetio: Write after Close")
	}
	if err := sameFields(rec.Schema(), w.schema); err != nil {
		return err
	}
	for off := int64(0); off < rec.NumRows(); {
		n := min(rec.NumRows()-off, w.rowGroupRows-w.groupRows)
		if err := w.writeSlice(rec, off, n); err != nil {
			return fmt.Errorf("writing Parquet rows: %w", err)
		}
		off += n
	}
	return nil
}

// writeSlice writes rows [off, off+n) of rec into the current row group,
// which they fit, and starts a new row group when it is full. pqarrow is
// only given records that fit the row group, and fixed-size lists at offset
// 0: in arrow-go v18.8.0 it misplaces the values of a fixed-size list whose
// array starts at an offset, as slices and its own row-group splits do.
func (w *Writer) writeSlice(rec arrow.RecordBatch, off, n int64) error {
	if w.groupRows == 0 {
		if err := w.fw.NewBufferedRowGroupChecked(); err != nil {
			return err
		}
	}
	part, err := compactSlice(w.mem, rec, off, n)
	if err != nil {
		return err
	}
	defer part.Release()
	if err := w.fw.WriteBuffered(part); err != nil {
		return err
	}
	w.rows += n
	w.groupRows += n
	if w.groupRows == w.rowGroupRows {
		w.groupRows = 0
	}
	return nil
}

// sameFields explains the first difference between two schemas' fields.
func sameFields(got, want *arrow.Schema) error {
	if got.NumFields() != want.NumFields() {
		return fmt.Errorf("record has %d columns, the output file %d: %v vs %v", got.NumFields(), want.NumFields(), got, want)
	}
	for i := range got.Fields() {
		if g, w := got.Field(i), want.Field(i); !g.Equal(w) {
			return fmt.Errorf("record column %d is %v, the output file expects %v", i, g, w)
		}
	}
	return nil
}

// Rows returns the number of rows written so far.
func (w *Writer) Rows() int64 { return w.rows }

// Close writes the last row group and the footer. For a Writer made by
// Create it also syncs the file to disk and closes it. Close is idempotent.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.fw.Close()
	if w.file != nil {
		if err == nil {
			err = w.file.Sync()
		}
		if cerr := w.file.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			err = fmt.Errorf("%s: %w", w.file.Name(), err)
		}
	}
	w.done = err == nil
	return err
}

// Abort stops writing without a valid footer. For a Writer made by Create it
// closes and removes the file. After a successful Close, Abort does nothing,
// so `defer w.Abort()` is safe.
func (w *Writer) Abort() error {
	if w.done {
		return nil
	}
	w.closed, w.done = true, true
	if w.file == nil {
		return nil
	}
	closeErr := w.file.Close()
	if errors.Is(closeErr, os.ErrClosed) {
		closeErr = nil // a failed Close closed it already
	}
	if err := os.Remove(w.file.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return closeErr
}

// Schema returns the file's schema, with the metadata as schema metadata.
func (w *Writer) Schema() *arrow.Schema { return w.schema }
