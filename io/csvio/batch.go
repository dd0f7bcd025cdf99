package csvio

import (
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/tokentext"
)

// batch gathers the rows of one unit into Arrow builders.
type batch struct {
	path     string
	fields   []arrow.Field
	pos      []int // position of each field in a CSV record
	builders []array.Builder
	problems []*chunk.RowError
}

// newBatch prepares builders for the named columns.
func (r *Reader) newBatch(columns []string) (*batch, error) {
	b := &batch{path: r.path}
	for _, name := range columns {
		i := slices.Index(r.header, name)
		if i < 0 {
			return nil, fmt.Errorf("%s: column %q not found; the header has %q", r.path, name, r.header)
		}
		f := r.schema.Field(i)
		b.fields = append(b.fields, f)
		b.pos = append(b.pos, i)
		b.builders = append(b.builders, array.NewBuilder(r.mem, f.Type))
	}
	return b, nil
}

// append adds one CSV record, row number row starting on line line.
func (b *batch) append(rec []string, row int64, line int) {
	problem := false
	for i, f := range b.fields {
		v := rec[b.pos[i]]
		switch bld := b.builders[i].(type) {
		case *array.StringBuilder:
			bld.Append(v)
		case *array.ListBuilder:
			ids, err := tokentext.Parse(v)
			if err != nil && !problem {
				b.problems = append(b.problems, &chunk.RowError{File: b.path, Row: row, Column: f.Name,
					Reason: fmt.Sprintf("%v (line %d)", err, line)})
				problem = true
			}
			appendInts(bld, ids, err == nil && ids != nil)
		}
	}
}

// appendInts appends one list (or a null when valid is false).
func appendInts(b *array.ListBuilder, ids []int64, valid bool) {
	if !valid {
		b.AppendNull()
		return
	}
	b.Append(true)
	b.ValueBuilder().(*array.Int64Builder).AppendValues(ids, nil)
}

// finish returns the gathered rows as unit u's chunk and resets b.
func (b *batch) finish(u chunk.Unit) chunk.Chunk {
	cols := make([]arrow.Array, len(b.builders))
	for i, bld := range b.builders {
		cols[i] = bld.NewArray()
	}
	rec := array.NewRecordBatch(arrow.NewSchema(b.fields, nil), cols, u.Rows)
	for _, c := range cols {
		c.Release()
	}
	c := chunk.Chunk{Unit: u, Record: rec, Problems: b.problems}
	b.problems = nil
	return c
}

func (b *batch) release() {
	for _, bld := range b.builders {
		bld.Release()
	}
}
