package stages

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/bertbatch/bertbatch/bert"
)

// TestClassify runs the tiny heads end to end and compares logits, probabilities, label and
// score with the engine's Classify on the same rows, and the files with what pyarrow reads.
func TestClassify(t *testing.T) {
	const n = 26
	tests := []struct {
		model  string
		head   bert.HeadType
		labels int
	}{
		{"tiny-bert-cls", bert.HeadMulticlass, 3},
		{"tiny-bert-multilabel", bert.HeadMultilabel, 4},
		{"tiny-bert-regression", bert.HeadRegression, 1},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			dir := t.TempDir()
			toks := tokenRows(9, n, 2, 30)
			in := filepath.Join(dir, "in", "a.parquet")
			new(columns).int64s("id", ids(0, n)).lists("input_ids", arrow.PrimitiveTypes.Int64, toks).write(t, in, 7)
			job := loadJob(t, dir, fmt.Sprintf(`
model: {ref: %s, head: %s}
input: {paths: [in], passthrough: [id]}
output: {dir: out, rows_per_file: 14}
batching: {max_batch_size: 5}
workers: 2
`, modelDir(t, tt.model), tt.head))
			sum := mustRun(t, job)
			out := filepath.Join(dir, "out")
			rows := make([]row, n)
			for i, r := range toks {
				rows[i].ids = r
			}
			_, want := direct(t, modelDir(t, tt.model), tt.head, rows, bert.EmbedOptions{})
			got := readOutput(t, out)
			if !slices.Equal(got.int64s(t, "id"), ids(0, n)) {
				t.Errorf("ids %v, want 0…%d", got.int64s(t, "id"), n-1)
			}
			logits, probs := got.vectors(t, "logits"), got.vectors(t, "probabilities")
			labels, scores := got.strs(t, "label"), got.float32s(t, "score")
			var wantLogits, wantProbs [][]float32
			for i, p := range want {
				wantLogits, wantProbs = append(wantLogits, p.Logits), append(wantProbs, p.Probabilities)
				if labels[i] != p.Label || math.Abs(float64(scores[i]-p.Score)) > 1e-5 {
					t.Errorf("row %d: label %q score %g, want %q %g", i, labels[i], scores[i], p.Label, p.Score)
				}
			}
			closeVectors(t, "logits", logits, wantLogits, 1e-5)
			closeVectors(t, "probabilities", probs, wantProbs, 1e-5)
			// Units of 7 rows (the row groups) gathered into parts of at most 14 rows.
			checkSummary(t, out, sum, wantSummary{rows: n, files: 2, tokens: tokenCount(toks)})

			py := readback(t, pyRequest{Out: out})
			vec := fmt.Sprintf("fixed_size_list<element: float>[%d]", tt.labels)
			wantTypes := map[string]string{"id": "int64", "logits": vec, "probabilities": vec, "label": "string", "score": "float"}
			for c, w := range wantTypes {
				if py.Types[c] != w {
					t.Errorf("pyarrow reads %s as %s, want %s", c, py.Types[c], w)
				}
			}
			if len(py.Types) != len(wantTypes) {
				t.Errorf("pyarrow sees columns %v, want %v", py.Types, wantTypes)
			}
			equalVectors(t, "logits read by pyarrow", pyVectors(t, py, "logits"), logits)
			for _, k := range []string{"bertbatch.model", "bertbatch.model_commit", "bertbatch.head", "bertbatch.dtype",
				"bertbatch.max_length", "bertbatch.version", "bertbatch.job_hash"} {
				if py.KVMetadata[k] == "" {
					t.Errorf("metadata has no %s: %v", k, py.KVMetadata)
				}
			}
			if py.KVMetadata["bertbatch.head"] != string(tt.head) {
				t.Errorf("metadata bertbatch.head = %q, want %q", py.KVMetadata["bertbatch.head"], tt.head)
			}
		})
	}
}
