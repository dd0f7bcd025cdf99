package rangetest

import (
	"fmt"
	"os"
	"slices"

	"github.com/apache/arrow-go/v18/parquet/file"
)

// pageStarts reads the offset index of path (the twin of the file under test
// that ranges.py writes with a page index) and returns, per row group, the
// rows at which some column's data page starts, 0 excluded.
func pageStarts(path string, rowGroups []int64) ([][]int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	pf, err := file.NewParquetReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if pf.NumRowGroups() != len(rowGroups) {
		return nil, fmt.Errorf("%s: %d row groups, the file under test has %d", path, pf.NumRowGroups(), len(rowGroups))
	}
	idx := pf.GetPageIndexReader()
	starts := make([][]int64, pf.NumRowGroups())
	for rg := range starts {
		rgi, err := idx.RowGroup(rg)
		if err != nil {
			return nil, fmt.Errorf("%s: row group %d: %w", path, rg, err)
		}
		for col := range pf.MetaData().Schema.NumColumns() {
			oi, err := rgi.GetOffsetIndex(col)
			if err != nil {
				return nil, fmt.Errorf("%s: row group %d, column %d: %w", path, rg, col, err)
			}
			for _, loc := range oi.GetPageLocations() {
				if loc.FirstRowIndex > 0 {
					starts[rg] = append(starts[rg], loc.FirstRowIndex)
				}
			}
		}
		slices.Sort(starts[rg])
		starts[rg] = slices.Compact(starts[rg])
	}
	return starts, nil
}
