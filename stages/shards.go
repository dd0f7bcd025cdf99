package stages

import (
	"context"
	"fmt"
	"slices"

	"github.com/bertbatch/bertbatch/io/chunk"
	"github.com/bertbatch/bertbatch/io/dataset"
	"github.com/bertbatch/bertbatch/io/outdir"
	"github.com/bertbatch/bertbatch/io/shard"
	"github.com/bertbatch/bertbatch/jobs"
)

// unitRows is the read unit size of a job: rows_per_file, at most dataset.DefaultUnitRows.
func unitRows(job *jobs.Job) int64 {
	return min(int64(dataset.DefaultUnitRows), int64(job.Output.RowsPerFile))
}

// Blocks returns the row blocks of a job, owned by s: the largest multiple of the read unit that
// fits in rows_per_file, so that, with row groups aligned to the read unit, a block is whole read
// units and an output part never needs to cross one. Every shard of a job computes the same.
func Blocks(job *jobs.Job, s shard.Spec) shard.Blocks {
	u := unitRows(job)
	return shard.Blocks{Size: int64(job.Output.RowsPerFile) / u * u, Roots: job.Input.Paths, Spec: s}
}

// fileRows returns the rows of input file f: from its metadata, or by reading it through when its
// format records no count (CSV, JSON Lines).
func fileRows(ctx context.Context, job *jobs.Job, f dataset.File) (int64, error) {
	_, rows, err := dataset.FileSchema(f)
	if err != nil || rows >= 0 {
		return rows, err
	}
	ds, err := dataset.Open([]dataset.File{f}, dataset.Options{Spec: inputSpec(job), UnitRows: unitRows(job)})
	if err != nil {
		return 0, err
	}
	err = ds.ReadFile(ctx, 0, nil, func(c chunk.Chunk) error {
		rows = c.Unit.RowStart + c.Unit.Rows
		c.Release()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count the rows of %s: %w", f.Path, err)
	}
	return max(rows, 0), nil
}

// summaryName is the run summary's file name: _summary.json, or one per shard.
func summaryName(s shard.Spec) string {
	if !s.Sharded() {
		return "_summary.json"
	}
	return fmt.Sprintf("_summary-%05d-of-%05d.json", s.Index, s.Count)
}

// CheckCoverage reports whether finished units cover every row of the job's input exactly once:
// every input file from row 0 to its last row, without gap or overlap, and no unit of a file the
// job does not read.
// It is what `bertbatch commit` checks before merging shards.
func CheckCoverage(ctx context.Context, job *jobs.Job, recs []outdir.Record) error {
	files, err := dataset.Discover(job.Input.Paths, dataset.Format(job.Input.Format))
	if err != nil {
		return err
	}
	byFile := map[string][]outdir.Unit{}
	for _, r := range recs {
		byFile[r.Unit.Input] = append(byFile[r.Unit.Input], r.Unit)
	}
	for _, f := range files {
		rows, err := fileRows(ctx, job, f)
		if err != nil {
			return err
		}
		units := byFile[f.Path]
		delete(byFile, f.Path)
		slices.SortFunc(units, func(a, b outdir.Unit) int { return int(a.Start - b.Start) })
		next := int64(0)
		for _, u := range units {
			switch {
			case u.Start < next:
				return fmt.Errorf("input %s: rows %d to %d were written twice (unit %s overlaps the one before); "+
					"the shards were not of one job: rerun with --overwrite", f.Path, u.Start, next, u)
			case u.Start > next:
				return fmt.Errorf("input %s: rows %d to %d were written by no shard; rerun the shard that owns them", f.Path, next, u.Start)
			}
			next = u.End
		}
		if next != rows {
			return fmt.Errorf("input %s has %d rows; the shards wrote rows 0 to %d; rerun the unfinished shards", f.Path, rows, next)
		}
	}
	for file := range byFile {
		return fmt.Errorf("the shards wrote rows of %s, which the job does not read; rerun with --overwrite", file)
	}
	return nil
}
