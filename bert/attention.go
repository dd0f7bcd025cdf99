package bert

import (
	"math"

	"github.com/bertbatch/bertbatch/mlx"
)

// attention computes softmax(q·kᵀ/√d with padding masked)·v over [batch, heads, length, headDim].
// On a GPU it is MLX's scaled_dot_product_attention (fused through cuDNN for float16 and bfloat16
// on CUDA) with an additive mask built once per batch and shared by every layer; on the CPU,
// whose fused path is not fused, two batched matmuls around a vectorised masked softmax.
type attention struct {
	sc    *mlx.Scope
	scale float32
	keep  *mlx.Array // [B, L] float32, 1 = attend
	mask  *mlx.Array // [B, 1, 1, L] in the compute dtype, 0 = attend, -inf = padding; GPU path only
	cpu   bool
}

func (m *Model) newAttention(sc *mlx.Scope, keep *mlx.Array, B, L int) attention {
	at := attention{sc: sc, scale: float32(1 / math.Sqrt(float64(m.Config.HeadDim()))), keep: keep}
	at.cpu = sc.Stream().Device() == mlx.CPU
	if !at.cpu {
		// MLX turns a boolean mask into this additive one inside every attention call; building
		// it here does that once per batch instead of once per layer.
		attend := sc.Greater(keep, sc.Scalar(0, mlx.Float32))
		additive := sc.Where(attend, sc.Scalar(0, m.dtype), sc.Scalar(math.Inf(-1), m.dtype))
		at.mask = sc.Reshape(additive, B, 1, 1, L)
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
