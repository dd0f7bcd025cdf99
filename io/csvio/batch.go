package csvio

import (
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/tokentext"
)

// batch gathers the rows of one unit into Arrow builders.
type batch struct {
	path string
	chunk.Builder
	pos []int // position of each field in a CSV record
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
		b.Fields = append(b.Fields, f)
		b.pos = append(b.pos, i)
		b.Builders = append(b.Builders, array.NewBuilder(r.mem, f.Type))
	}
	return b, nil
}

// append adds one CSV record, row number row starting on line line.
func (b *batch) append(rec []string, row int64, line int) {
	problem := false
	for i, f := range b.Fields {
		v := rec[b.pos[i]]
		switch bld := b.Builders[i].(type) {
		case *array.StringBuilder:
			bld.Append(v)
		case *array.ListBuilder:
			ids, err := tokentext.Parse(v)
			if err != nil && !problem {
				b.Problems = append(b.Problems, &chunk.RowError{File: b.path, Row: row, Column: f.Name,
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
