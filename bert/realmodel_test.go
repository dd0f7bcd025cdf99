package bert

import (
	"fmt"
	"testing"

	"github.com/bertbatch/bertbatch/mlx"
)

// TestGoldenMiniLM compares the real all-MiniLM-L6-v2 (fetched by `make model`) with
// sentence-transformers' encode and transformers' last_hidden_state. Every row runs unpadded in
// float32; the rows as stored (padded to 256, float32) and the unpadded float16/bfloat16 runs take
// only the rows that carry last_hidden_state: 28 rows padded to 256 would take most of the
// package's time budget, and MLX's CPU matmul in half precision is many times slower than in
// float32.
func TestGoldenMiniLM(t *testing.T) {
	c := loadCase(t, "all-MiniLM-L6-v2.json")
	dir := realModelDir(t, c)
	head := firstRows(&c.Batch, len(c.LastHiddenState))
	for _, dt := range dtypes {
		m := loadModel(t, dir, Options{Dtype: dt.dtype})
		if m.MaxLength != c.MaxSeqLength {
			t.Errorf("max length %d, want sentence-transformers' max_seq_length %d", m.MaxLength, c.MaxSeqLength)
		}
		for _, l := range layouts {
			want := head
			switch {
			case dt.dtype != mlx.Float32 && l.name == "padded":
				continue
			case dt.dtype == mlx.Float32 && l.name == "unpadded":
				want = &c.Batch
			}
			label := fmt.Sprintf("%s/%s/%s/%drows", c.Model, dt.dtype, l.name, len(want.Inputs))
			t.Run(label, func(t *testing.T) { checkOutputs(t, label, l.run(t, m, want), want, dt.tol) })
		}
		if dt.dtype == mlx.Float32 {
			t.Run(c.Model+"/padding-invariance", func(t *testing.T) { checkPaddingInvariance(t, m, c, layouts[:1]) })
		}
	}
}
