package bert

import (
	"math"

	"github.com/bertbatch/bertbatch/mlx"
)

// Rotary position embeddings (transformers' default rope), shared by the families that rotate
// queries and keys instead of adding a position table: ModernBERT (one base for global layers,
// another for local ones) and Jina v3 (one base). Positions are a batch's position ids, 0, 1, 2, …
// within each row, so that a packed batch and a padded one rotate each token alike.

// rotary is a batch's rotary position embedding for one base: cos and sin [n, 1, headDim]
// float32, sin with its first half negated so that rotate_half(x)·sin = swap(x)·sin where swap
// exchanges the halves.
type rotary struct{ cos, sin *mlx.Array }

// newRotary computes transformers' default rotary cos and sin in float32 for each position.
func newRotary(sc *mlx.Scope, positions []int32, headDim int, theta float64) rotary {
	half := headDim / 2
	inv := make([]float32, half)
	for d := range inv {
		inv[d] = 1 / float32(math.Pow(theta, float64(float32(2*d)/float32(headDim))))
	}
	n := len(positions)
	cos, sin := make([]float32, n*headDim), make([]float32, n*headDim)
	for t, p := range positions {
		for d, f := range inv {
			a := float64(float32(p) * f)
			cs, sn := float32(math.Cos(a)), float32(math.Sin(a))
			row := t * headDim
			cos[row+d], cos[row+half+d] = cs, cs
			sin[row+d], sin[row+half+d] = -sn, sn
		}
	}
	return rotary{cos: sc.FromFloat32(cos, n, 1, headDim), sin: sc.FromFloat32(sin, n, 1, headDim)}
}

// apply rotates the query and key parts of qkv [n, 3·heads·headDim] in float32 and returns qkv
// in its dtype with v unchanged.
func (r rotary) apply(sc *mlx.Scope, qkv *mlx.Array, n, heads, headDim int) *mlx.Array {
	dt, err := qkv.Dtype()
	sc.Fail(err)
	H, half := heads*headDim, headDim/2
	rotate := func(part int) *mlx.Array {
		x := sc.AsType(sc.Reshape(sc.Slice(qkv, []int{0, part * H}, []int{n, (part + 1) * H}), n, heads, headDim), mlx.Float32)
		swapped := sc.Concatenate(2, sc.Slice(x, []int{0, 0, half}, []int{n, heads, headDim}), sc.Slice(x, []int{0, 0, 0}, []int{n, heads, half}))
		out := sc.Add(sc.Multiply(x, r.cos), sc.Multiply(swapped, r.sin))
		return sc.AsType(sc.Reshape(out, n, H), dt)
	}
	return sc.Concatenate(1, rotate(0), rotate(1), sc.Slice(qkv, []int{0, 2 * H}, []int{n, 3 * H}))
}

// rotatedAttention is an attention over n token rows that rotates the query and key parts of its
// fused projection before attending (Jina v3's layers, on the shared post-norm block).
type rotatedAttention struct {
	inner             attender
	rot               rotary
	n, heads, headDim int
}

func (a rotatedAttention) attend(sc *mlx.Scope, qkv *mlx.Array) *mlx.Array {
	return a.inner.attend(sc, a.rot.apply(sc, qkv, a.n, a.heads, a.headDim))
}

func (a rotatedAttention) windowed(sc *mlx.Scope, window int) attender {
	a.inner = a.inner.windowed(sc, window)
	return a
}
