package bert

import (
	"math"

	"github.com/bertbatch/bertbatch/mlx"
)

// attention computes softmax(q·kᵀ/√d with padding masked)·v over [batch, heads, length, headDim].
// On a GPU it is MLX's fused scaled_dot_product_attention with a boolean mask; on the CPU, whose
// fused path is not fused, two batched matmuls around a vectorised masked softmax.
type attention struct {
	sc    *mlx.Scope
	scale float32
	keep  *mlx.Array // [B, L] float32, 1 = attend
	mask  *mlx.Array // [B, 1, 1, L] bool, GPU path only
	cpu   bool
}

func (m *Model) newAttention(sc *mlx.Scope, keep *mlx.Array, B, L int) attention {
	at := attention{sc: sc, scale: float32(1 / math.Sqrt(float64(m.Config.HeadDim()))), keep: keep}
	at.cpu = sc.Stream().Device() == mlx.CPU
	if !at.cpu {
		at.mask = sc.Reshape(sc.Greater(keep, sc.Scalar(0, mlx.Float32)), B, 1, 1, L)
	}
	return at
}

func (a attention) apply(q, k, v *mlx.Array) *mlx.Array {
	sc := a.sc
	if !a.cpu {
		return sc.Attention(q, k, v, a.scale, a.mask)
	}
	dt := q.Dtype()
	scores := sc.Matmul(sc.Multiply(q, sc.Scalar(float64(a.scale), dt)), sc.Transpose(k, 0, 1, 3, 2))
	probs := sc.MaskedSoftmax(sc.AsType(scores, mlx.Float32), a.keep)
	return sc.Matmul(sc.AsType(probs, dt), v)
}
