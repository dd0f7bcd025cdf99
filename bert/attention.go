package bert

import (
	"fmt"

	"math"

	"github.com/bertbatch/bertbatch/mlx"
)

// attender is a batch's self-attention: it maps a layer's fused projection qkv [rows, 3H] (q, k
// and v side by side) to the heads' outputs [rows, H]. paddedAttention takes a [rows·length] grid
// with a mask; packedAttention takes sequences laid end to end.
type attender interface {
	attend(sc *mlx.Scope, qkv *mlx.Array) *mlx.Array
	// windowed is the same attention with each query limited to keys at most window positions
	// away (ModernBERT's local layers).
	windowed(sc *mlx.Scope, window int) attender
}

// paddedAttention computes softmax(q·kᵀ/√d with padding masked)·v on a padded batch.
//
// On the CPU in float32 it is one kernel reading q, k and v in place (mlx AttentionQKV). On a GPU
// it is two batched matmuls around one fused scale, mask and softmax kernel, with an additive mask
// built once per batch and shared by every layer. MLX's fused scaled_dot_product_attention (cuDNN
// on CUDA) was measured slower end to end: each call costs host time that grows with the number
// of distinct batch shapes (see docs/gpu.md). Elsewhere, two batched matmuls around the masked
// softmax.
type paddedAttention struct {
	B, L, heads, headDim int
	scale                float32
	keep                 *mlx.Array // [B, L] float32, 1 = attend
	mask                 *mlx.Array // [B, L] in the compute dtype, 0 = attend, -inf = padding; GPU path only
	fused                bool       // the CPU kernel applies
	shaping              mlx.AttentionShaping
	bias                 *mlx.Array // [1, heads or 1, L, L] shaping spread over the batch's grid; unfused path only
}

func (m *Model) newPaddedAttention(sc *mlx.Scope, keep *mlx.Array, B, L int) paddedAttention {
	c := m.Config
	at := paddedAttention{B: B, L: L, heads: c.NumAttentionHeads, headDim: c.HeadDim(), scale: m.attentionScale(), keep: keep,
		shaping: m.shaping()}
	at.fused = m.cpuKernels(sc)
	if sc.Stream().Device() != mlx.CPU {
		// Built once per batch, shared by every layer.
		attend := sc.Greater(keep, sc.Scalar(0, mlx.Float32))
		at.mask = sc.Where(attend, sc.Scalar(0, m.dtype), sc.Scalar(math.Inf(-1), m.dtype))
	}
	if !at.fused && at.shaping.Bias != nil {
		at.bias = gridBias(sc, at.shaping.Bias, L)
		if at.mask == nil {
			at.bias = sc.AsType(at.bias, mlx.Float32)
		}
	}
	return at
}

func (a paddedAttention) windowed(sc *mlx.Scope, window int) attender {
	a.shaping.Window = window
	if !a.fused {
		a.bias = addBias(sc, a.bias, windowBias(sc, a.L, window, a.dtype(sc)))
	}
	return a
}

func (a paddedAttention) dtype(sc *mlx.Scope) mlx.Dtype {
	if a.mask != nil {
		dt, err := a.mask.Dtype()
		sc.Fail(err)
		return dt
	}
	return mlx.Float32 // the CPU's unfused path adds its bias to float32 scores
}

// windowBias is [1, 1, L, L] in dtype: 0 where |i − j| ≤ window, a large negative number
// elsewhere. It is finite, so that a padding query with no key in reach still gets a finite
// softmax (its row is never read, but a NaN there would reach the real rows through the next
// layer's products).
func windowBias(sc *mlx.Scope, L, window int, dtype mlx.Dtype) *mlx.Array {
	far := float32(-1e30)
	if dtype == mlx.Float16 {
		far = -30000
	}
	v := make([]float32, L*L)
	for i := range L {
		for j := range L {
			if i-j > window || j-i > window {
				v[i*L+j] = far
			}
		}
	}
	return sc.AsType(sc.FromFloat32(v, 1, 1, L, L), dtype)
}

// addBias adds two optional biases.
func addBias(sc *mlx.Scope, a, b *mlx.Array) *mlx.Array {
	if a == nil {
		return b
	}
	return sc.Add(a, b)
}

// shaping is the model's attention shaping (mlx.AttentionShaping), the same for every layer.
func (m *Model) shaping() mlx.AttentionShaping {
	return mlx.AttentionShaping{Bias: m.w.relBias}
}

// gridBias spreads a relative bias table [heads, 2R+1] over an L×L grid: [1, heads, L, L], entry
// (h, i, j) = table[h, clamp(j−i, −R, R) + R].
func gridBias(sc *mlx.Scope, table *mlx.Array, L int) *mlx.Array {
	sh, err := table.Shape()
	if err != nil || len(sh) != 2 {
		panic(fmt.Sprintf("bert: the relative bias table, bound at load, has shape %v: %v", sh, err)) // a bug, not bad input
	}
	heads, R := sh[0], (sh[1]-1)/2
	idx := make([]int32, L*L)
	for i := range L {
		for j := range L {
			idx[i*L+j] = int32(min(max(j-i, -R), R) + R)
		}
	}
	return sc.Reshape(sc.Take(table, sc.FromInt32(idx, L*L), 1), 1, heads, L, L)
}

func (m *Model) attentionScale() float32 { return float32(1 / math.Sqrt(float64(m.Config.HeadDim()))) }

func (a paddedAttention) attend(sc *mlx.Scope, qkv *mlx.Array) *mlx.Array {
	if a.fused {
		return sc.AttentionQKV(qkv, a.keep, a.heads, a.scale, a.shaping)
	}
	B, L, H := a.B, a.L, a.heads*a.headDim
	heads := func(part int) *mlx.Array {
		t := sc.Slice(qkv, []int{0, part * H}, []int{B * L, (part + 1) * H})
		return sc.Transpose(sc.Reshape(t, B, L, a.heads, a.headDim), 0, 2, 1, 3)
	}
	q, k, v := heads(0), heads(1), heads(2)
	var out *mlx.Array
	switch {
	case a.mask != nil && a.bias == nil:
		scores := sc.Matmul(q, sc.Transpose(k, 0, 1, 3, 2))
		out = sc.Matmul(sc.ScaledMaskedSoftmax(scores, a.scale, a.mask), v)
	case a.mask != nil:
		dt, err := q.Dtype()
		sc.Fail(err)
		scores := sc.Matmul(sc.Multiply(q, sc.Scalar(float64(a.scale), dt)), sc.Transpose(k, 0, 1, 3, 2))
		out = sc.Matmul(sc.ScaledMaskedSoftmax(sc.Add(scores, a.bias), 1, a.mask), v)
	default:
		// The scale is applied to the float32 scores: scaling q in a half type first rounds it.
		dt, err := q.Dtype()
		sc.Fail(err)
		scores := sc.AsType(sc.Matmul(q, sc.Transpose(k, 0, 1, 3, 2)), mlx.Float32)
		scores = sc.Multiply(scores, sc.Scalar(float64(a.scale), mlx.Float32))
		if a.bias != nil {
			scores = sc.Add(scores, a.bias)
		}
		probs := sc.MaskedSoftmax(scores, a.keep)
		out = sc.Matmul(sc.AsType(probs, dt), v)
	}
	return sc.Reshape(sc.Transpose(out, 0, 2, 1, 3), B*L, H)
}

// packedAttention is attention over sequences laid end to end (mlx AttentionVarlen): no padding
// is computed, and q, k and v are read in place.
type packedAttention struct {
	offsets         *mlx.Array // [B+1] int32
	heads           int
	scale           float32
	longest, tokens int
	shaping         mlx.AttentionShaping
}

func (a packedAttention) attend(sc *mlx.Scope, qkv *mlx.Array) *mlx.Array {
	return sc.AttentionVarlen(qkv, a.offsets, a.heads, a.scale, a.longest, a.tokens, a.shaping)
}

func (a packedAttention) windowed(_ *mlx.Scope, window int) attender {
	a.shaping.Window = window
	return a
}
