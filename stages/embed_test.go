package stages

import (
	"cmp"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/bertbatch/bertbatch/bert"
)

// metadataKeys must be in every output file's key-value metadata.
var metadataKeys = []string{"bertbatch.model", "bertbatch.model_commit", "bertbatch.pooling", "bertbatch.normalize",
	"bertbatch.dtype", "bertbatch.max_length", "bertbatch.version", "bertbatch.job_hash"}

// TestEmbedTokenColumns runs token-id inputs end to end and compares the embeddings with the
// engine's own results on the same rows, and the files with what pyarrow reads.
func TestEmbedTokenColumns(t *testing.T) {
	yes, no := true, false
	const n = 37
	tests := []struct {
		name     string
		ids      arrow.DataType // element type of input_ids
		mask     bool           // write attention_mask (list<int8>) with trailing padding
		types    bool           // write token_type_ids (list<int64>) with a second segment
		output   string         // the job's output section, without dir
		maxLen   int            // batching.max_length (0: the model's)
		embed    bert.EmbedOptions
		dim      int
		half     bool
		tol      float64
		parts    []int64 // rows in each part file
		wantType string  // pyarrow's type of the embedding column
		// the metadata's pooling and normalize: what the job asked for, "model" resolved
		pooling, normalize string
	}{
		{name: "list<int32>, the model's pooling", ids: arrow.PrimitiveTypes.Int32,
			dim: 32, tol: 1e-5, parts: []int64{n}, wantType: "fixed_size_list<element: float>[32]",
			pooling: "model ([mean])", normalize: "model (true)"},
		{name: "list<int64> with mask and types, cls, normalized, truncate_dims, float16", ids: arrow.PrimitiveTypes.Int64,
			mask: true, types: true, output: "pooling: cls, normalize: true, truncate_dims: 16, dtype: float16",
			embed: bert.EmbedOptions{Pooling: bert.PoolCLS, Normalize: &yes, TruncateDims: 16},
			dim:   16, half: true, tol: 1e-3, parts: []int64{n}, wantType: "fixed_size_list<element: halffloat>[16]",
			pooling: "cls", normalize: "true"},
		{name: "padded rows longer than max_length, max pooling, rows_per_file splits", ids: arrow.PrimitiveTypes.Int32,
			mask: true, output: "pooling: max, normalize: false, rows_per_file: 10", maxLen: 40,
			embed: bert.EmbedOptions{Pooling: bert.PoolMax, Normalize: &no},
			dim:   32, tol: 1e-5, parts: []int64{10, 10, 10, 7}, wantType: "fixed_size_list<element: float>[32]",
			pooling: "max", normalize: "false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			toks := tokenRows(1, n, 3, 40)
			rows := make([]row, n)
			stored := make([][]int32, n) // input_ids as written (padded when the data has a mask)
			var masks, types [][]int32
			for i, ids := range toks {
				rows[i].ids = ids
				stored[i] = ids
				if tt.types {
					tt := make([]int32, len(ids))
					for j := len(ids) / 2; j < len(ids); j++ {
						tt[j] = 1
					}
					rows[i].types = tt
					types = append(types, tt)
				}
				if tt.mask {
					// Padded to 44 tokens, as a tokenized dataset padded to a fixed length is.
					pad := 44 - len(ids)
					stored[i] = append(slices.Clone(ids), make([]int32, pad)...)
					m := make([]int32, 44)
					for j := range ids {
						m[j] = 1
					}
					masks = append(masks, m)
					if tt.types {
						types[i] = append(types[i], make([]int32, pad)...)
					}
				}
			}
			titles := texts(2, n, 4)
			cols := new(columns).int64s("id", ids(100, n)).strs("title", titles, 4, 9).
				lists("input_ids", tt.ids, stored).lists("tags", arrow.PrimitiveTypes.Int64, toks, 3)
			if tt.mask {
				cols.lists("attention_mask", arrow.PrimitiveTypes.Int8, masks)
			}
			if tt.types {
				cols.lists("token_type_ids", arrow.PrimitiveTypes.Int64, types)
			}
			in := filepath.Join(dir, "in", "data.parquet")
			cols.write(t, in, 10)
			job := loadJob(t, dir, fmt.Sprintf(`
model: {ref: %s}
input: {paths: [in], passthrough: [id, title, tags]}
output: {dir: out, %s}
batching: {max_batch_size: 8, sort_window: 16, max_length: %d}
workers: 2
`, modelDir(t, "tiny-bert"), tt.output, tt.maxLen))
			sum := mustRun(t, job)
			out := filepath.Join(dir, "out")

			got := readOutput(t, out)
			if len(got.parts) != len(tt.parts) {
				t.Fatalf("%d part files %v, want %d", len(got.parts), got.parts, len(tt.parts))
			}
			start := int64(0)
			for i, p := range got.parts {
				wantName := fmt.Sprintf("part-00000-%012d-", start)
				if base := filepath.Base(p); len(base) < len(wantName) || base[:len(wantName)] != wantName {
					t.Errorf("part %d is named %s, want %s…", i, base, wantName)
				}
				part := readParquets(t, []string{p})
				if part.rows != tt.parts[i] {
					t.Errorf("part %s has %d rows, want %d", p, part.rows, tt.parts[i])
				}
				start += tt.parts[i]
			}
			if !slices.Equal(got.int64s(t, "id"), ids(100, n)) {
				t.Errorf("ids %v, want 100…%d in order", got.int64s(t, "id"), 100+n-1)
			}
			want, _ := direct(t, modelDir(t, "tiny-bert"), bert.HeadNone, rows, tt.embed)
			vecs := got.vectors(t, "embedding")
			closeVectors(t, "embedding", vecs, want, tt.tol)
			if tt.embed.Normalize != nil && *tt.embed.Normalize {
				for i, v := range vecs {
					var s float64
					for _, x := range v {
						s += float64(x) * float64(x)
					}
					if math.Abs(math.Sqrt(s)-1) > 2e-3 {
						t.Errorf("row %d: norm %g, want 1", i, math.Sqrt(s))
					}
				}
			}
			checkSummary(t, out, sum, wantSummary{rows: n, files: int64(len(tt.parts)), tokens: tokenCount(toks)})

			keep := make([]int, n)
			for i := range keep {
				keep[i] = i
			}
			py := readback(t, pyRequest{Out: out, Inputs: []string{in}, Passthrough: []string{"id", "title", "tags"}, Keep: keep})
			if py.Types["embedding"] != tt.wantType {
				t.Errorf("pyarrow reads the embedding as %s, want %s", py.Types["embedding"], tt.wantType)
			}
			if py.PassthroughTypesSame == nil || !*py.PassthroughTypesSame || !*py.PassthroughEqual {
				t.Errorf("pyarrow: passthrough columns differ from the input (types %v)", py.Types)
			}
			equalVectors(t, "embedding read by pyarrow", pyVectors(t, py, "embedding"), vecs)
			for _, k := range metadataKeys {
				if py.KVMetadata[k] == "" || py.SchemaMetadata[k] != py.KVMetadata[k] {
					t.Errorf("metadata %s: key-value %q, Arrow schema %q; want both, equal", k, py.KVMetadata[k], py.SchemaMetadata[k])
				}
			}
			maxLen := cmp.Or(tt.maxLen, 128) // tiny-bert's max_seq_length
			if py.KVMetadata["bertbatch.model"] != modelDir(t, "tiny-bert") || py.KVMetadata["bertbatch.model_commit"] != sum.ModelCommit ||
				py.KVMetadata["bertbatch.job_hash"] != sum.JobHash || py.KVMetadata["bertbatch.max_length"] != fmt.Sprint(maxLen) {
				t.Errorf("metadata %v does not match the run (commit %s, job hash %s, max_length %d)", py.KVMetadata, sum.ModelCommit, sum.JobHash, maxLen)
			}
			if py.KVMetadata["bertbatch.pooling"] != tt.pooling || py.KVMetadata["bertbatch.normalize"] != tt.normalize {
				t.Errorf("metadata pooling %q normalize %q, want %q %q", py.KVMetadata["bertbatch.pooling"], py.KVMetadata["bertbatch.normalize"], tt.pooling, tt.normalize)
			}
			if py.KVMetadata["bertbatch.job_hash"] != job.Hash() {
				t.Errorf("metadata job hash %s, want the job's hash %s (as validate -show prints it)", py.KVMetadata["bertbatch.job_hash"], job.Hash())
			}
		})
	}
}
