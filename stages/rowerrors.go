package stages

import (
	"sort"

	"github.com/bertbatch/bertbatch/io/chunk"
)

func sortRowErrors(rows []*chunk.RowError) {
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Row < rows[j].Row })
}

// mergeRowErrors joins two lists of bad rows, keeping the first problem of each row.
func mergeRowErrors(a, b []*chunk.RowError) []*chunk.RowError {
	seen := map[int64]bool{}
	var out []*chunk.RowError
	for _, list := range [][]*chunk.RowError{a, b} {
		for _, e := range list {
			if !seen[e.Row] {
				seen[e.Row] = true
				out = append(out, e)
			}
		}
	}
	sortRowErrors(out)
	return out
}
