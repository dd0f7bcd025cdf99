package stages

import (
	"os"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/bertbatch/bertbatch/io/outdir"
	"github.com/bertbatch/bertbatch/io/parquetio"
)

// TestCommitFailureAbortsThePart makes each step of a part's commit fail and checks that the
// part's files, its rejects file included, are removed at once rather than left pending.
func TestCommitFailureAbortsThePart(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}, nil)
	tests := []struct {
		name string
		// breaks makes the commit fail: it aborts one of the part's files under its writer.
		breaks func(p *part) error
		want   string
	}{
		{"part close fails", func(p *part) error { return p.file.Abort() }, "writing part-0.parquet"},
		{"rejects close fails", func(p *part) error { return p.rejectFile.Abort() }, "writing _rejects-0.parquet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := t.TempDir()
			dir, err := outdir.Open(path, outdir.Identity{JobHash: "h", ModelCommit: "c"}, outdir.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := dir.Close(); err != nil {
					t.Error(err)
				}
			}()
			p := &part{input: "in.parquet"}
			if p.file, err = dir.Create("part-0.parquet"); err != nil {
				t.Fatal(err)
			}
			if p.w, err = parquetio.NewWriter(p.file, schema, parquetio.WriterOptions{}); err != nil {
				t.Fatal(err)
			}
			if p.rejectFile, err = dir.Create("_rejects-0.parquet"); err != nil {
				t.Fatal(err)
			}
			if p.rejects, err = parquetio.NewRejectsWriter(p.rejectFile, schema, parquetio.WriterOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := tt.breaks(p); err != nil {
				t.Fatal(err)
			}
			w := &writer{dir: dir, stats: &Stats{}, part: p}
			if err := w.commit(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("commit: %v, want an error %q", err, tt.want)
			}
			entries, err := os.ReadDir(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if strings.Contains(e.Name(), "-0.parquet") {
					t.Errorf("%s is left in the output folder after the failed commit", e.Name())
				}
			}
		})
	}
}
