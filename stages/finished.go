package stages

import (
	"cmp"
	"slices"

	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/outdir"
	"github.com/bertbatch/bertbatch/io/shard"
)

// finished holds the input rows that earlier runs committed in the output folder: for each input
// file, its committed row ranges, sorted and merged. Resuming works at the level of rows, not of
// read units, so a rerun skips exactly the committed rows even when it reads the input in other
// units than the run that committed them (another rows_per_file).
//
// A worker running one shard of a job treats the rows of blocks other shards own as finished too,
// so it neither reads nor writes them.
type finished struct {
	spans  map[string][]span
	blocks shard.Blocks // which rows this run's shard owns; the zero value owns all
}

// span is the row range [start, end) of one input file.
type span struct{ start, end int64 }

func newFinished(recs []outdir.Record, blocks shard.Blocks) finished {
	f := finished{spans: map[string][]span{}, blocks: blocks}
	for _, r := range recs {
		f.spans[r.Unit.Input] = append(f.spans[r.Unit.Input], span{r.Unit.Start, r.Unit.End})
	}
	for file, spans := range f.spans {
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
		f.spans[file] = merged
	}
	return f
}

// covers reports whether every row of u was committed or belongs to another shard; such a unit
// is not read at all.
func (f finished) covers(u chunk.Unit) bool {
	end := u.RowStart + u.Rows
	for row := u.RowStart; row < end; {
		_, blockEnd := f.blocks.Block(row)
		if !f.blocks.Spec.Sharded() {
			blockEnd = end
		}
		next := min(end, blockEnd)
		if f.blocks.Owns(u.File, row) && !f.committed(u.File, row, next) {
			return false
		}
		row = next
	}
	return true
}

// committed reports whether rows [start, end) of file were committed.
func (f finished) committed(file string, start, end int64) bool {
	for _, s := range f.spans[file] {
		if s.start <= start && end <= s.end {
			return true
		}
	}
	return false
}

// has reports whether row of file was committed or belongs to another shard.
func (f finished) has(file string, row int64) bool {
	if !f.blocks.Owns(file, row) {
		return true
	}
	for _, s := range f.spans[file] {
		if s.start <= row && row < s.end {
			return true
		}
	}
	return false
}
