package dataset

import (
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
)

// badRows records the first problem of each bad row of a chunk.
type badRows struct {
	c     Chunk
	flags []bool
	list  []*RowError
}

// newBadRows starts from the problems the reader found in c; flags has one
// entry per row of c and is set for every bad row.
func newBadRows(c Chunk, flags []bool) *badRows {
	b := &badRows{c: c, flags: flags}
	for _, p := range c.Problems {
		if i := int(p.Row - c.Unit.RowStart); i >= 0 && i < len(flags) && !flags[i] {
			flags[i] = true
			b.list = append(b.list, p)
		}
	}
	return b
}

func (b *badRows) has(i int) bool { return b.flags[i] }

// add marks row i bad unless it already is.
func (b *badRows) add(i int, column, reason string) {
	if b.flags[i] {
		return
	}
	b.flags[i] = true
	b.list = append(b.list, &RowError{File: b.c.Unit.File, Row: b.c.Row(i), Column: column, Reason: reason})
}

func (b *badRows) sorted() []*RowError {
	slices.SortStableFunc(b.list, func(x, y *RowError) int { return int(x.Row - y.Row) })
	return b.list
}

// column returns the column of c named name, or nil.
func column(c Chunk, name string) arrow.Array {
	idx := c.Record.Schema().FieldIndices(name)
	if len(idx) == 0 {
		return nil
	}
	return c.Record.Column(idx[0])
}
