package bert

import (
	"math"

	"github.com/bertbatch/bertbatch/mlx"
)

// attention computes softmax(q·kᵀ/√d with padding masked)·v over [batch, heads, length, headDim].
//
// On a GPU it is two batched matmuls around one fused scale, mask and softmax kernel, with an
// additive mask built once per batch and shared by every layer. MLX's fused
// scaled_dot_product_attention (cuDNN on CUDA) was measured slower end to end: each call costs
// host time that grows with the number of distinct batch shapes (see docs/gpu.md). On the CPU,
// whose fused path is not fused, two batched matmuls around a vectorised masked softmax.
type attention struct {
	sc    *mlx.Scope
	scale float32
	keep  *mlx.Array // [B, L] float32, 1 = attend
	mask  *mlx.Array // [B, L] in the compute dtype, 0 = attend, -inf = padding; GPU path only
	cpu   bool
}

func (m *Model) newAttention(sc *mlx.Scope, keep *mlx.Array, B, L int) attention {
	at := attention{sc: sc, scale: float32(1 / math.Sqrt(float64(m.Config.HeadDim()))), keep: keep}
	at.cpu = sc.Stream().Device() == mlx.CPU
	if !at.cpu {
		// Built once per batch, shared by every layer.
		attend := sc.Greater(keep, sc.Scalar(0, mlx.Float32))
		at.mask = sc.Where(attend, sc.Scalar(0, m.dtype), sc.Scalar(math.Inf(-1), m.dtype))
	}
	return at
}

func (a attention) apply(q, k, v *mlx.Array) *mlx.Array {
	sc := a.sc
	if !a.cpu {
		scores := sc.Matmul(q, sc.Transpose(k, 0, 1, 3, 2))
		return sc.Matmul(sc.ScaledMaskedSoftmax(scores, a.scale, a.mask), v)
	}
	dt := q.Dtype()
	scores := sc.Matmul(sc.Multiply(q, sc.Scalar(float64(a.scale), dt)), sc.Transpose(k, 0, 1, 3, 2))
	probs := sc.MaskedSoftmax(sc.AsType(scores, mlx.Float32), a.keep)
	return sc.Matmul(sc.AsType(probs, dt), v)
}
