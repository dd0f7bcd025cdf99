package parquetio

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// compactSlice returns rows [off, off+n) of rec. Columns holding a
// fixed-size list are copied so that they start at offset 0; other columns
// are zero-copy slices. The caller releases the result.
func compactSlice(mem memory.Allocator, rec arrow.RecordBatch, off, n int64) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, rec.NumCols())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, col := range rec.Columns() {
		cols[i] = array.NewSlice(col, off, off+n)
		if hasFixedSizeList(col.DataType()) && hasOffset(cols[i].Data()) {
			copied, err := array.Concatenate([]arrow.Array{cols[i]}, mem)
			if err != nil {
				return nil, err
			}
			cols[i].Release()
			cols[i] = copied
		}
	}
	return array.NewRecordBatch(rec.Schema(), cols, n), nil
}

// hasFixedSizeList reports whether t is or contains a fixed-size list.
func hasFixedSizeList(t arrow.DataType) bool {
	if t.ID() == arrow.FIXED_SIZE_LIST {
		return true
	}
	if nested, ok := t.(arrow.NestedType); ok {
		for _, f := range nested.Fields() {
			if hasFixedSizeList(f.Type) {
				return true
			}
		}
	}
	return false
}

// hasOffset reports whether data or any of its children starts at an offset.
func hasOffset(data arrow.ArrayData) bool {
	if data.Offset() != 0 {
		return true
	}
	for _, c := range data.Children() {
		if hasOffset(c) {
			return true
		}
	}
	return false
}
