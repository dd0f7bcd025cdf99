package dataset

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// SelectRows returns the rows of rec at the given indices (strictly
// increasing), for example the good rows of a chunk. The caller releases the
// result.
func SelectRows(mem memory.Allocator, rec arrow.RecordBatch, rows []int) (arrow.RecordBatch, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	runs, err := toRuns(rows, int(rec.NumRows()))
	if err != nil {
		return nil, err
	}
	cols := make([]arrow.Array, rec.NumCols())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, col := range rec.Columns() {
		if cols[i], err = selectRuns(mem, col, runs); err != nil {
			return nil, fmt.Errorf("column %q: %w", rec.ColumnName(i), err)
		}
	}
	return array.NewRecordBatch(rec.Schema(), cols, int64(len(rows))), nil
}

// run is the half-open row range [start, end).
type run struct{ start, end int }

// toRuns groups strictly increasing row indices below n into ranges.
func toRuns(rows []int, n int) ([]run, error) {
	var runs []run
	for k, r := range rows {
		if r < 0 || r >= n || (k > 0 && r <= rows[k-1]) {
			return nil, fmt.Errorf("row indices must be strictly increasing and below %d; got %d at position %d", n, r, k)
		}
		if len(runs) > 0 && runs[len(runs)-1].end == r {
			runs[len(runs)-1].end++
		} else {
			runs = append(runs, run{r, r + 1})
		}
	}
	return runs, nil
}

// selectRuns concatenates the given ranges of col.
func selectRuns(mem memory.Allocator, col arrow.Array, runs []run) (arrow.Array, error) {
	if len(runs) == 1 {
		return array.NewSlice(col, int64(runs[0].start), int64(runs[0].end)), nil
	}
	if len(runs) == 0 {
		return array.MakeArrayOfNull(mem, col.DataType(), 0), nil
	}
	parts := make([]arrow.Array, len(runs))
	for i, r := range runs {
		parts[i] = array.NewSlice(col, int64(r.start), int64(r.end))
	}
	defer func() {
		for _, p := range parts {
			p.Release()
		}
	}()
	return array.Concatenate(parts, mem)
}
