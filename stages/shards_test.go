package stages

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/io/outdir"
	"github.com/bertbatch/bertbatch/jobs"
)

// TestCheckCoverage: merged shards must cover every row of every input file once, including the
// tail of a JSON Lines file, whose row count only a read-through gives.
func TestCheckCoverage(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.jsonl", "b.jsonl"} {
		var b strings.Builder
		for i := range 50 {
			fmt.Fprintf(&b, "{\"text\": \"row %d\"}\n", i)
		}
		writeText(t, filepath.Join(dir, "in", name), b.String())
	}
	yaml := fmt.Sprintf("model: {ref: ./m}\ninput: {paths: [%s], text_column: text}\noutput: {dir: %s, rows_per_file: 20}\n",
		filepath.Join(dir, "in"), filepath.Join(dir, "out"))
	job, err := jobs.Parse("job.yaml", []byte(yaml), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	a, b := filepath.Join(dir, "in", "a.jsonl"), filepath.Join(dir, "in", "b.jsonl")
	unit := func(file string, start, end int64) outdir.Record {
		return outdir.Record{Unit: outdir.Unit{Input: file, Start: start, End: end}}
	}
	whole := []outdir.Record{unit(a, 0, 20), unit(a, 20, 40), unit(a, 40, 50), unit(b, 0, 20), unit(b, 20, 40), unit(b, 40, 50)}
	for _, tc := range []struct {
		name string
		recs []outdir.Record
		err  string
	}{
		{"every row once", whole, ""},
		{"tail missing", whole[:5], "b.jsonl has 50 rows; the shards wrote rows 0 to 40"},
		{"gap", append(append([]outdir.Record{}, whole[:1]...), whole[2:]...), "rows 20 to 40 were written by no shard"},
		{"overlap", append(append([]outdir.Record{}, whole...), unit(a, 10, 30)), "rows 10 to 20 were written twice"},
		{"file of no input", append(append([]outdir.Record{}, whole...), unit("other.jsonl", 0, 5)), "other.jsonl, which the job does not read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckCoverage(context.Background(), job, tc.recs)
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("CheckCoverage: %v; want %q", err, tc.err)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("CheckCoverage created the output folder")
	}
}
