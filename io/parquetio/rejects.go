package parquetio

import (
	"fmt"
	"io"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/bertbatch/bertbatch/io/chunk"
)

// Columns of a rejects file, before the passthrough columns.
const (
	RejectFile   = "source_file"
	RejectRow    = "source_row"
	RejectColumn = "source_column"
	RejectReason = "reason"
)

// RejectsSchema returns the schema of a rejects file: source_file (string),
// source_row (int64, 0-based within the file), source_column (string, empty
// when the whole row is unreadable), reason (string), then the passthrough
// columns with their own types.
func RejectsSchema(passthrough *arrow.Schema) (*arrow.Schema, error) {
	fields := []arrow.Field{
		{Name: RejectFile, Type: arrow.BinaryTypes.String},
		{Name: RejectRow, Type: arrow.PrimitiveTypes.Int64},
		{Name: RejectColumn, Type: arrow.BinaryTypes.String},
		{Name: RejectReason, Type: arrow.BinaryTypes.String},
	}
	for _, f := range passthrough.Fields() {
		if slices.ContainsFunc(fields[:4], func(r arrow.Field) bool { return r.Name == f.Name }) {
			return nil, fmt.Errorf("passthrough column %q has the name of a rejects column; rename it", f.Name)
		}
		fields = append(fields, f)
	}
	return arrow.NewSchema(fields, nil), nil
}

// RejectsWriter writes bad rows with their reasons into one Parquet file.
type RejectsWriter struct {
	*Writer
	passthrough *arrow.Schema
	mem         memory.Allocator
}

// NewRejectsWriter returns a RejectsWriter that writes a rejects file to out (see RejectsSchema).
// It never closes out.
func NewRejectsWriter(out io.Writer, passthrough *arrow.Schema, opts WriterOptions) (*RejectsWriter, error) {
	schema, err := RejectsSchema(passthrough)
	if err != nil {
		return nil, err
	}
	w, err := NewWriter(out, schema, opts)
	if err != nil {
		return nil, err
	}
	mem := opts.Allocator
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	return &RejectsWriter{Writer: w, passthrough: passthrough, mem: mem}, nil
}

// CreateRejects creates a rejects file at path (see RejectsSchema).
func CreateRejects(path string, passthrough *arrow.Schema, opts WriterOptions) (*RejectsWriter, error) {
	schema, err := RejectsSchema(passthrough)
	if err != nil {
		return nil, err
	}
	w, err := Create(path, schema, opts)
	if err != nil {
		return nil, err
	}
	mem := opts.Allocator
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	return &RejectsWriter{Writer: w, passthrough: passthrough, mem: mem}, nil
}

// WriteRejects appends one row per bad row: rows[i] with the i-th row of
// passthrough, whose schema must equal the passthrough schema (nil when it
// has no columns).
func (r *RejectsWriter) WriteRejects(rows []*chunk.RowError, passthrough arrow.RecordBatch) error {
	n := int64(len(rows))
	if r.passthrough.NumFields() > 0 && (passthrough == nil || passthrough.NumRows() != n) {
		return fmt.Errorf("rejects: %d bad rows need %d passthrough rows", n, n)
	}
	file := array.NewStringBuilder(r.mem)
	row := array.NewInt64Builder(r.mem)
	column := array.NewStringBuilder(r.mem)
	reason := array.NewStringBuilder(r.mem)
	builders := []array.Builder{file, row, column, reason}
	defer func() {
		for _, b := range builders {
			b.Release()
		}
	}()
	for _, e := range rows {
		file.Append(e.File)
		row.Append(e.Row)
		column.Append(e.Column)
		reason.Append(e.Reason)
	}
	cols := make([]arrow.Array, 0, len(builders)+r.passthrough.NumFields())
	for _, b := range builders {
		cols = append(cols, b.NewArray())
	}
	defer func() {
		for _, c := range cols[:len(builders)] {
			c.Release()
		}
	}()
	if passthrough != nil {
		if err := sameFields(passthrough.Schema(), r.passthrough); err != nil {
			return fmt.Errorf("rejects passthrough: %w", err)
		}
		cols = append(cols, passthrough.Columns()...)
	}
	rec := array.NewRecordBatch(r.schema, cols, n)
	defer rec.Release()
	return r.Write(rec)
}
