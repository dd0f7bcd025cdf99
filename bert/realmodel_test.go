package bert

import (
	"fmt"
	"testing"

	"github.com/bertbatch/bertbatch/mlx"
)

// TestGoldenMiniLM compares the real all-MiniLM-L6-v2 (fetched by `make model`) with
// sentence-transformers' encode and transformers' last_hidden_state. Rows run unpadded, in
// batches of similar length; every row in float32, and in float16 and bfloat16 the rows that carry
// last_hidden_state (MLX's CPU matmul in half precision is many times slower than in float32).
// The rows as stored, padded with their attention masks, are covered by the padding-invariance
// case, whose short row is padded to 512 positions.
func TestGoldenMiniLM(t *testing.T) {
	c := loadCase(t, "all-MiniLM-L6-v2.json")
	dir := realModelDir(t, c)
	for _, dt := range dtypes {
		m := loadModel(t, dir, Options{Dtype: dt.dtype})
		if m.MaxLength != c.MaxSeqLength {
			t.Errorf("max length %d, want sentence-transformers' max_seq_length %d", m.MaxLength, c.MaxSeqLength)
		}
		want := &c.Batch
		if dt.dtype != mlx.Float32 {
			want = firstRows(&c.Batch, len(c.LastHiddenState))
		}
		label := fmt.Sprintf("%s/%s/unpadded/%drows", c.Model, dt.dtype, len(want.Inputs))
		t.Run(label, func(t *testing.T) { checkOutputs(t, label, runUnpadded(t, m, want), want, dt.tol) })
		if dt.dtype == mlx.Float32 {
			t.Run(c.Model+"/padding-invariance", func(t *testing.T) { checkPaddingInvariance(t, m, c, []layout{{"padded", runPadded}}) })
		}
	}
}
