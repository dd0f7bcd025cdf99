package chunk

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Builder gathers the rows of one unit column by column, with the rows that could not be
// decoded, for the streamed readers (CSV, JSON Lines).
type Builder struct {
	Fields   []arrow.Field
	Builders []array.Builder // one per field
	Problems []*RowError
}

// Finish returns the gathered rows as unit u's chunk and resets the builder for the next unit.
func (b *Builder) Finish(u Unit) Chunk {
	cols := make([]arrow.Array, len(b.Builders))
	for i, bld := range b.Builders {
		cols[i] = bld.NewArray()
	}
	rec := array.NewRecordBatch(arrow.NewSchema(b.Fields, nil), cols, u.Rows)
	for _, c := range cols {
		c.Release()
	}
	c := Chunk{Unit: u, Record: rec, Problems: b.Problems}
	b.Problems = nil
	return c
}

// Release frees the column builders.
func (b *Builder) Release() {
	for _, bld := range b.Builders {
		bld.Release()
	}
}
