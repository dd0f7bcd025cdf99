package stages

import (
	"fmt"
	"path/filepath"
	"testing"
)

// TestPipelinedIsBitwise runs the same job with each worker keeping one batch in flight (the
// engine's Embed, batch by batch) and several (StartEmbed for the next batches before Wait on
// the first, after a warm-up forward), and checks that every output file is byte for byte the
// same: the pipelined path computes each batch as the plain one does, and keeps output order.
func TestPipelinedIsBitwise(t *testing.T) {
	tests := []struct {
		name  string
		model func(t *testing.T) string
		rows  int
	}{
		{"tiny-bert", func(t *testing.T) string { return modelDir(t, "tiny-bert") }, 300},
		{"all-MiniLM-L6-v2", realModel, 120},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			model := tc.model(t)
			dir := t.TempDir()
			for f := range 2 {
				new(columns).int64s("id", ids(1000*f, tc.rows/2)).strs("text", texts(uint64(70+f), tc.rows/2, 40)).
					write(t, filepath.Join(dir, "in", fmt.Sprintf("f%d.parquet", f)), 40)
			}
			run := func(name string, opts Options) *Summary {
				job := loadJob(t, dir, fmt.Sprintf(`
model: {ref: %s}
input: {paths: [in], text_column: text, passthrough: [id]}
output: {dir: %s, rows_per_file: 50}
batching: {max_batch_size: 16, sort_window: 48, max_tokens: 512}
workers: 2
`, model, name))
				s, err := runJob(t, job, opts)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				checkSummary(t, filepath.Join(dir, name), s, wantSummary{rows: int64(tc.rows), rejected: 0, truncated: -1, skipped: 0, files: -1, tokens: s.Tokens})
				return s
			}
			run("plain", Options{InFlight: 1})
			for _, depth := range []int{2, 3} {
				name := fmt.Sprintf("depth%d", depth)
				s := run(name, Options{InFlight: depth, Warmup: true})
				if s.Timeline.WarmupSeconds <= 0 {
					t.Errorf("%s: warmup_seconds %g, want > 0 with Warmup set", name, s.Timeline.WarmupSeconds)
				}
				sameFiles(t, filepath.Join(dir, name), filepath.Join(dir, "plain"))
			}
		})
	}
}
