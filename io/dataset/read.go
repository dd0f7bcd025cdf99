package dataset

import (
	"context"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Read emits the chunks of every file in order, leaving out the units skip
// marks done. Each chunk's record holds the model-input columns present in
// its file (in Spec order), then the passthrough columns (in Spec order),
// each name once. emit owns the chunk.
func (d *Dataset) Read(ctx context.Context, skip Skip, emit Emit) error {
	for i := range d.files {
		if err := d.ReadFile(ctx, i, skip, emit); err != nil {
			return err
		}
	}
	return nil
}

// ReadFile emits the chunks of the i-th file (see Read).
func (d *Dataset) ReadFile(ctx context.Context, i int, skip Skip, emit Emit) error {
	f, p := d.files[i], d.plans[i]
	src, err := openSource(f, d.opts.Spec.tokenColumns(), d.opts.InferRows, d.opts.Allocator)
	if err != nil {
		return err
	}
	defer src.Close()
	return src.Read(ctx, p.read, d.opts.UnitRows, skip, func(c Chunk) error {
		if len(p.read) == len(p.columns) {
			return emit(c)
		}
		rec, err := d.withPartitions(f, p, c.Record)
		c.Record.Release()
		if err != nil {
			return err
		}
		c.Record = rec
		return emit(c)
	})
}

// withPartitions returns rec with the partition columns of p added, as
// constant string columns, in p's column order.
func (d *Dataset) withPartitions(f File, p plan, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	n := rec.NumRows()
	fields := make([]arrow.Field, len(p.columns))
	cols := make([]arrow.Array, len(p.columns))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, name := range p.columns {
		if j := slices.Index(p.read, name); j >= 0 {
			fields[i] = rec.Schema().Field(j)
			cols[i] = rec.Column(j)
			cols[i].Retain()
			continue
		}
		part, ok := partitionOf(f, name)
		if !ok {
			return nil, fmt.Errorf("%s: column %q is neither in the file nor a partition folder", f.Path, name)
		}
		fields[i] = arrow.Field{Name: name, Type: arrow.BinaryTypes.String, Nullable: true}
		cols[i] = constantString(d, part, n)
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, n), nil
}

// constantString returns n copies of a partition value (null for Hive's null).
func constantString(d *Dataset, part Partition, n int64) arrow.Array {
	b := array.NewStringBuilder(d.opts.Allocator)
	defer b.Release()
	b.Reserve(int(n))
	for range n {
		if part.Null {
			b.AppendNull()
		} else {
			b.Append(part.Value)
		}
	}
	return b.NewArray()
}

// Passthrough returns the passthrough columns of a chunk as a record with
// exactly PassthroughSchema (ready for the output writer). The caller
// releases it.
func (d *Dataset) Passthrough(c Chunk) (arrow.RecordBatch, error) {
	fields := d.passthrough.Fields()
	cols := make([]arrow.Array, len(fields))
	for i, f := range fields {
		idx := c.Record.Schema().FieldIndices(f.Name)
		if len(idx) != 1 {
			return nil, fmt.Errorf("%s: chunk has no column %q", c.Unit, f.Name)
		}
		col := c.Record.Column(idx[0])
		if !arrow.TypeEqual(col.DataType(), f.Type) {
			return nil, fmt.Errorf("%s: column %q has type %s, want %s", c.Unit, f.Name, col.DataType(), f.Type)
		}
		cols[i] = col
	}
	return array.NewRecordBatch(d.passthrough, cols, c.Record.NumRows()), nil
}
