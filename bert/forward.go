package bert

import (
	"math"

	"github.com/bertbatch/bertbatch/mlx"
)

// Encoded is the result of a forward pass, as lazy arrays owned by the caller's scope.
type Encoded struct {
	// LastHidden is [rows, length, hidden] in the compute dtype. length is the longest row's on
	// the CPU; on a GPU it is rounded up to a multiple of 8 (the extra positions are padding).
	LastHidden *mlx.Array
	// Mask is [rows, length] float32, 1 for attended tokens.
	Mask *mlx.Array
	// Counts holds the number of attended tokens of each row.
	Counts []int
	p      *padded
}

// Forward builds the encoder's graph for a batch inside sc. Nothing is computed until the
// outputs are evaluated (Eval, CopyTo).
func (m *Model) Forward(sc *mlx.Scope, b *Batch) (*Encoded, error) {
	if m.w == nil {
		return nil, ErrClosed
	}
	p, err := m.Config.pad(b)
	if err != nil {
		return nil, err
	}
	if sc.Stream().Device() != mlx.CPU {
		p = m.Config.widen(p, m.Config.gpuLength(p.length)) // see gpubatch.go
	}
	if pk := m.pack(sc, p); pk != nil {
		return m.forwardPacked(sc, p, pk), sc.Err()
	}
	B, L, H := p.rows, p.length, m.Config.HiddenSize
	keep := keepMask(sc, p)
	x := m.encode(sc, p.ids, p.positions, p.types, m.newPaddedAttention(sc, keep, B, L))
	out := &Encoded{LastHidden: sc.Reshape(x, B, L, H), Mask: keep, Counts: p.counts, p: p}
	return out, sc.Err()
}

// encode runs the model's family on n token rows (a padded grid or packed sequences, as at
// says): the last hidden state [n, hidden]. Families without an encoder of their own run the
// shared one: embeddings, then post-norm layers.
func (m *Model) encode(sc *mlx.Scope, ids, positions, types []int32, at attender) *mlx.Array {
	if f := familyOf(m.Config.Arch); f.encode != nil {
		return f.encode(m, sc, ids, positions, types, at)
	}
	return m.layers(sc, m.embeddings(sc, ids, positions, types), at)
}

// embeddings is LayerNorm(word + position + token type embeddings) of n tokens, as [n, hidden];
// a model without a position or token type table adds none.
func (m *Model) embeddings(sc *mlx.Scope, ids, positions, types []int32) *mlx.Array {
	w, n := m.w, len(ids)
	x := sc.Take(w.word, sc.FromInt32(ids, n), 0)
	if w.pos != nil {
		x = sc.Add(x, sc.Take(w.pos, sc.FromInt32(positions, n), 0))
	}
	if w.typ != nil {
		x = sc.Add(x, sc.Take(w.typ, sc.FromInt32(types, n), 0))
	}
	return m.norm(sc, x, w.embedNorm)
}

// keepMask is p's attention mask as [rows, length] float32, 1 = attend.
func keepMask(sc *mlx.Scope, p *padded) *mlx.Array {
	return sc.AsType(sc.FromBool(p.mask, p.rows, p.length), mlx.Float32)
}

// layers runs x [rows, hidden] through every encoder layer.
func (m *Model) layers(sc *mlx.Scope, x *mlx.Array, at attender) *mlx.Array {
	for i := range m.w.layers {
		x = scoped(sc, func(inner *mlx.Scope) *mlx.Array { return m.block(inner, &m.w.layers[i], x, at) })
	}
	return x
}

// scoped builds one layer (build) in a scope of its own and drops every intermediate handle as
// soon as the layer's graph is built: the lazy graph keeps what evaluation needs, and MLX can free
// each buffer once its last consumer has run instead of holding a whole batch's activations.
func scoped(sc *mlx.Scope, build func(inner *mlx.Scope) *mlx.Array) *mlx.Array {
	if sc.Err() != nil {
		return nil
	}
	inner := mlx.NewScope(sc.Stream())
	defer inner.Close()
	out := build(inner)
	if err := inner.Err(); err != nil {
		sc.Fail(err)
		return nil
	}
	return sc.Own(inner.Keep(out))
}

// block is one transformer layer on x [rows, hidden].
func (m *Model) block(sc *mlx.Scope, l *layer, x *mlx.Array, at attender) *mlx.Array {
	attn := at.attend(sc, m.dense(sc, x, &l.qkv))
	x = m.addNorm(sc, m.dense(sc, attn, &l.out), x, l.attnNorm)
	h := m.intermediate(sc, x, &l.up)
	return m.addNorm(sc, m.dense(sc, h, &l.down), x, l.outNorm)
}

// addNorm is LayerNorm(x + residual) as one fused kernel.
func (m *Model) addNorm(sc *mlx.Scope, x, residual *mlx.Array, n layerNorm) *mlx.Array {
	return sc.AddLayerNorm(x, residual, n.w, n.b, float32(m.Config.LayerNormEps))
}

// cpuKernels reports whether the layer runs on the CPU kernels of the mlx package (float32 on a
// CPU stream): fused attention from the QKV projection, dense layers with the bias and GELU fused.
func (m *Model) cpuKernels(sc *mlx.Scope) bool {
	return sc.Stream().Device() == mlx.CPU && m.dtype == mlx.Float32
}

// intermediate is the feed-forward block's first half, activation(x·Wᵀ + b).
func (m *Model) intermediate(sc *mlx.Scope, x *mlx.Array, l *linear) *mlx.Array {
	if l.scales == nil && m.cpuKernels(sc) && m.Config.HiddenAct == "gelu" {
		return sc.Dense(x, l.w, l.b, true)
	}
	return m.activation(sc, m.dense(sc, x, l))
}

// dense is x·Wᵀ + b.
func (m *Model) dense(sc *mlx.Scope, x *mlx.Array, l *linear) *mlx.Array {
	if l.scales != nil {
		return sc.Add(sc.QuantizedMatmul(x, l.w, l.scales, l.qbias, l.groupSize, l.bits), l.b)
	}
	if m.cpuKernels(sc) {
		return sc.Dense(x, l.w, l.b, false)
	}
	return sc.AddMM(l.b, x, sc.Transpose(l.w, 1, 0))
}

func (m *Model) norm(sc *mlx.Scope, x *mlx.Array, n layerNorm) *mlx.Array {
	return sc.LayerNorm(x, n.w, n.b, float32(m.Config.LayerNormEps))
}

// activation applies the config's hidden_act with transformers' definitions.
func (m *Model) activation(sc *mlx.Scope, x *mlx.Array) *mlx.Array {
	return m.activate(sc, m.Config.HiddenAct, x)
}

// activate applies the activation of that name (one of activations) with transformers'
// definitions; "tanh" too, for classification heads.
func (m *Model) activate(sc *mlx.Scope, name string, x *mlx.Array) *mlx.Array {
	dt := m.dtype
	half := sc.Scalar(0.5, dt)
	one := sc.Scalar(1, dt)
	switch name {
	case "tanh":
		return sc.Tanh(x)
	case "relu":
		return sc.Maximum(x, sc.Scalar(0, dt))
	case "silu", "swish":
		return sc.Multiply(x, sc.Sigmoid(x))
	case "gelu_new", "gelu_pytorch_tanh", "gelu_fast":
		// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
		x3 := sc.Multiply(sc.Multiply(x, x), x)
		inner := sc.Multiply(sc.Add(x, sc.Multiply(x3, sc.Scalar(0.044715, dt))), sc.Scalar(math.Sqrt(2/math.Pi), dt))
		return sc.Multiply(sc.Multiply(x, half), sc.Add(one, sc.Tanh(inner)))
	default: // "gelu": the exact erf form
		if sc.Stream().Device() != mlx.CPU {
			return sc.FusedGELU(x)
		}
		return sc.GELU(x)
	}
}

// firstToken is hidden[:, 0, :] as [rows, hidden].
func firstToken(sc *mlx.Scope, hidden *mlx.Array, B, H int) *mlx.Array {
	return sc.Reshape(sc.Slice(hidden, []int{0, 0, 0}, []int{B, 1, H}), B, H)
}

// PoolerOutput is BERT's pooler (tanh(dense(first token))) as [rows, hidden]; nil when the
// checkpoint has no pooler.
func (m *Model) PoolerOutput(sc *mlx.Scope, e *Encoded) *mlx.Array {
	if m.w == nil || m.w.pooler == nil {
		return nil
	}
	first := firstToken(sc, e.LastHidden, e.p.rows, m.Config.HiddenSize)
	return sc.Tanh(m.dense(sc, first, m.w.pooler))
}

// HasPooler reports whether the checkpoint has BERT's pooler.
func (m *Model) HasPooler() bool { return m.w != nil && m.w.pooler != nil }

// quantizeLayers replaces the encoder's linear weights by affine-quantized ones.
func quantizeLayers(sc *mlx.Scope, w *weights, bits int, b *binder) error {
	const group = 64
	for i := range w.layers {
		l := &w.layers[i]
		for _, lin := range []*linear{&l.qkv, &l.out, &l.up, &l.down} {
			wq, scales, biases := sc.Quantize(lin.w, group, bits)
			if sc.Err() != nil {
				return sc.Err()
			}
			for _, a := range []*mlx.Array{wq, scales, biases} {
				sc.Keep(a)
			}
			lin.w.Close()
			lin.w, lin.scales, lin.qbias, lin.groupSize, lin.bits = wq, scales, biases, group, bits
		}
	}
	b.arrays = b.arrays[:0]
	for _, a := range w.all() {
		if a != nil {
			b.arrays = append(b.arrays, a)
		}
	}
	return nil
}
