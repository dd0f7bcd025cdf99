package stages

import (
	"cmp"
	"slices"

	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/outdir"
)

// finished holds the input rows that earlier runs committed in the output folder: for each input
// file, its committed row ranges, sorted and merged. Resuming works at the level of rows, not of
// read units, so a rerun skips exactly the committed rows even when it reads the input in other
// units than the run that committed them (another rows_per_file).
type finished map[string][]span

// span is the row range [start, end) of one input file.
type span struct{ start, end int64 }

func newFinished(recs []outdir.Record) finished {
	f := finished{}
	for _, r := range recs {
		f[r.Unit.Input] = append(f[r.Unit.Input], span{r.Unit.Start, r.Unit.End})
	}
	for file, spans := range f {
		slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.start, b.start) })
		merged := spans[:1]
		for _, s := range spans[1:] {
			last := &merged[len(merged)-1]
			if s.start <= last.end {
				last.end = max(last.end, s.end)
			} else {
				merged = append(merged, s)
			}
		}
		f[file] = merged
	}
	return f
}

// covers reports whether every row of u was committed; such a unit is not read at all.
func (f finished) covers(u chunk.Unit) bool {
	for _, s := range f[u.File] {
		if s.start <= u.RowStart && u.RowStart+u.Rows <= s.end {
			return true
		}
	}
	return false
}

// has reports whether row of file was committed.
func (f finished) has(file string, row int64) bool {
	for _, s := range f[file] {
		if s.start <= row && row < s.end {
			return true
		}
	}
	return false
}
