package mlx

/*
#include "shim.h"
*/
import "C"

type binaryFn func(*C.bb_array, C.bb_array, C.bb_array, C.bb_stream) C.int
type unaryFn func(*C.bb_array, C.bb_array, C.bb_stream) C.int

func (sc *Scope) binary(name string, f binaryFn, a, b *Array) *Array {
	return sc.op(name, []*Array{a, b}, func(r *C.bb_array, s C.bb_stream) C.int { return f(r, a.handle(), b.handle(), s) })
}

func (sc *Scope) unary(name string, f unaryFn, a *Array) *Array {
	return sc.op(name, []*Array{a}, func(r *C.bb_array, s C.bb_stream) C.int { return f(r, a.handle(), s) })
}

// Add is a + b with broadcasting.
func (sc *Scope) Add(a, b *Array) *Array {
	return sc.binary("add", func(r *C.bb_array, a, b C.bb_array, s C.bb_stream) C.int { return C.bb_add(r, a, b, s) }, a, b)
}

// Subtract is a - b with broadcasting.
func (sc *Scope) Subtract(a, b *Array) *Array {
	return sc.binary("subtract", func(r *C.bb_array, a, b C.bb_array, s C.bb_stream) C.int { return C.bb_subtract(r, a, b, s) }, a, b)
}

// Multiply is a * b with broadcasting.
func (sc *Scope) Multiply(a, b *Array) *Array {
	return sc.binary("multiply", func(r *C.bb_array, a, b C.bb_array, s C.bb_stream) C.int { return C.bb_multiply(r, a, b, s) }, a, b)
}

// Divide is a / b with broadcasting.
func (sc *Scope) Divide(a, b *Array) *Array {
	return sc.binary("divide", func(r *C.bb_array, a, b C.bb_array, s C.bb_stream) C.int { return C.bb_divide(r, a, b, s) }, a, b)
}

// Maximum is the element-wise maximum of a and b.
func (sc *Scope) Maximum(a, b *Array) *Array {
	return sc.binary("maximum", func(r *C.bb_array, a, b C.bb_array, s C.bb_stream) C.int { return C.bb_maximum(r, a, b, s) }, a, b)
}

// Greater is the element-wise a > b, as bool.
func (sc *Scope) Greater(a, b *Array) *Array {
	return sc.binary("greater", func(r *C.bb_array, a, b C.bb_array, s C.bb_stream) C.int { return C.bb_greater(r, a, b, s) }, a, b)
}

// Matmul is the matrix product of a and b (batched over leading dimensions).
func (sc *Scope) Matmul(a, b *Array) *Array {
	return sc.binary("matmul", func(r *C.bb_array, a, b C.bb_array, s C.bb_stream) C.int { return C.bb_matmul(r, a, b, s) }, a, b)
}

// Erf is the error function, element-wise.
func (sc *Scope) Erf(a *Array) *Array {
	return sc.unary("erf", func(r *C.bb_array, a C.bb_array, s C.bb_stream) C.int { return C.bb_erf(r, a, s) }, a)
}

// Tanh is the hyperbolic tangent, element-wise.
func (sc *Scope) Tanh(a *Array) *Array {
	return sc.unary("tanh", func(r *C.bb_array, a C.bb_array, s C.bb_stream) C.int { return C.bb_tanh(r, a, s) }, a)
}

// Sigmoid is 1/(1+exp(-a)), element-wise.
func (sc *Scope) Sigmoid(a *Array) *Array {
	return sc.unary("sigmoid", func(r *C.bb_array, a C.bb_array, s C.bb_stream) C.int { return C.bb_sigmoid(r, a, s) }, a)
}

// Sqrt is the square root, element-wise.
func (sc *Scope) Sqrt(a *Array) *Array {
	return sc.unary("sqrt", func(r *C.bb_array, a C.bb_array, s C.bb_stream) C.int { return C.bb_sqrt(r, a, s) }, a)
}

// Where picks x where cond is true and y elsewhere, with broadcasting.
func (sc *Scope) Where(cond, x, y *Array) *Array {
	return sc.op("where", []*Array{cond, x, y}, func(r *C.bb_array, s C.bb_stream) C.int {
		return C.bb_where(r, cond.handle(), x.handle(), y.handle(), s)
	})
}

// AsType converts a to dtype.
func (sc *Scope) AsType(a *Array, dtype Dtype) *Array {
	return sc.op("astype", []*Array{a}, func(r *C.bb_array, s C.bb_stream) C.int {
		return C.bb_astype(r, a.handle(), dtype.c(), s)
	})
}

// Reshape gives a a new shape with the same number of elements (one dimension may be -1).
func (sc *Scope) Reshape(a *Array, shape ...int) *Array {
	cs, free := cInts(shape)
	defer free()
	return sc.op("reshape", []*Array{a}, func(r *C.bb_array, s C.bb_stream) C.int {
		return C.bb_reshape(r, a.handle(), cs, C.int(len(shape)), s)
	})
}

// Transpose permutes a's axes.
func (sc *Scope) Transpose(a *Array, axes ...int) *Array {
	cs, free := cInts(axes)
	defer free()
	return sc.op("transpose", []*Array{a}, func(r *C.bb_array, s C.bb_stream) C.int {
		return C.bb_transpose(r, a.handle(), cs, C.int(len(axes)), s)
	})
}

// ExpandDims inserts a dimension of size 1 at axis.
func (sc *Scope) ExpandDims(a *Array, axis int) *Array {
	return sc.op("expand_dims", []*Array{a}, func(r *C.bb_array, s C.bb_stream) C.int {
		return C.bb_expand_dims(r, a.handle(), C.int(axis), s)
	})
}

// Slice takes a[start[0]:stop[0], start[1]:stop[1], …].
func (sc *Scope) Slice(a *Array, start, stop []int) *Array {
	if len(start) != len(stop) {
		sc.Fail(&Error{Op: "slice", Message: "start and stop differ in length"})
		return nil
	}
	cstart, free1 := cInts(start)
	defer free1()
	cstop, free2 := cInts(stop)
	defer free2()
	return sc.op("slice", []*Array{a}, func(r *C.bb_array, s C.bb_stream) C.int {
		return C.bb_slice(r, a.handle(), cstart, cstop, C.int(len(start)), s)
	})
}

// Take gathers a's entries at indices along axis.
func (sc *Scope) Take(a, indices *Array, axis int) *Array {
	return sc.op("take", []*Array{a, indices}, func(r *C.bb_array, s C.bb_stream) C.int {
		return C.bb_take(r, a.handle(), indices.handle(), C.int(axis), s)
	})
}

// AddMM is c + a·b.
func (sc *Scope) AddMM(c, a, b *Array) *Array {
	return sc.op("addmm", []*Array{c, a, b}, func(r *C.bb_array, s C.bb_stream) C.int {
		return C.bb_addmm(r, c.handle(), a.handle(), b.handle(), s)
	})
}

// Sum reduces a along axis.
func (sc *Scope) Sum(a *Array, axis int, keepDims bool) *Array {
	return sc.op("sum", []*Array{a}, func(r *C.bb_array, s C.bb_stream) C.int {
		return C.bb_sum(r, a.handle(), C.int(axis), C.bool(keepDims), s)
	})
}

// Max reduces a along axis by maximum.
func (sc *Scope) Max(a *Array, axis int, keepDims bool) *Array {
	return sc.op("max", []*Array{a}, func(r *C.bb_array, s C.bb_stream) C.int {
		return C.bb_max(r, a.handle(), C.int(axis), C.bool(keepDims), s)
	})
}

// Argmax returns the index of the maximum along axis (uint32).
func (sc *Scope) Argmax(a *Array, axis int, keepDims bool) *Array {
	return sc.op("argmax", []*Array{a}, func(r *C.bb_array, s C.bb_stream) C.int {
		return C.bb_argmax(r, a.handle(), C.int(axis), C.bool(keepDims), s)
	})
}

// Softmax is the (precise) softmax along axis.
func (sc *Scope) Softmax(a *Array, axis int) *Array {
	return sc.op("softmax", []*Array{a}, func(r *C.bb_array, s C.bb_stream) C.int {
		return C.bb_softmax(r, a.handle(), C.int(axis), s)
	})
}

// LayerNorm normalises x over its last axis, then scales by weight and shifts by bias.
func (sc *Scope) LayerNorm(x, weight, bias *Array, eps float32) *Array {
	return sc.op("layer_norm", []*Array{x, weight, bias}, func(r *C.bb_array, s C.bb_stream) C.int {
		return C.bb_layer_norm(r, x.handle(), weight.handle(), bias.handle(), C.float(eps), s)
	})
}

// Attention is scaled dot-product attention over q, k, v of shape [batch, heads, seq, headDim].
// mask, if not nil, is a bool array broadcastable to [batch, heads, seq, seq] (true = attend) or
// an additive mask of q's dtype.
func (sc *Scope) Attention(q, k, v *Array, scale float32, mask *Array) *Array {
	inputs := []*Array{q, k, v}
	if mask != nil {
		inputs = append(inputs, mask)
	}
	return sc.op("scaled_dot_product_attention", inputs, func(r *C.bb_array, s C.bb_stream) C.int {
		return C.bb_sdpa(r, q.handle(), k.handle(), v.handle(), C.float(scale), mask.handle(), s)
	})
}

// Quantize quantizes w (affine, per group along the last axis) and returns the packed weights,
// their scales and biases.
func (sc *Scope) Quantize(w *Array, groupSize, bits int) (wq, scales, biases *Array) {
	if sc.err != nil {
		return nil, nil, nil
	}
	var hq, hs, hb C.bb_array
	err := call("quantize", func() C.int {
		return C.bb_quantize(&hq, &hs, &hb, w.handle(), C.int(groupSize), C.int(bits), sc.stream.handle())
	})
	if err != nil {
		sc.err = err
		return nil, nil, nil
	}
	return sc.Own(newArray(hq)), sc.Own(newArray(hs)), sc.Own(newArray(hb))
}

// QuantizedMatmul is x · dequantize(wq)ᵀ.
func (sc *Scope) QuantizedMatmul(x, wq, scales, biases *Array, groupSize, bits int) *Array {
	return sc.op("quantized_matmul", []*Array{x, wq, scales, biases}, func(r *C.bb_array, s C.bb_stream) C.int {
		return C.bb_quantized_matmul(r, x.handle(), wq.handle(), scales.handle(), biases.handle(), C.int(groupSize), C.int(bits), s)
	})
}

// Concatenate joins arrays along axis.
func (sc *Scope) Concatenate(axis int, arrays ...*Array) *Array {
	hs := make([]C.bb_array, len(arrays))
	for i, a := range arrays {
		hs[i] = a.handle()
	}
	return sc.op("concatenate", arrays, func(r *C.bb_array, s C.bb_stream) C.int {
		if len(hs) == 0 {
			return C.bb_concatenate(r, nil, 0, C.int(axis), s)
		}
		return C.bb_concatenate(r, &hs[0], C.size_t(len(hs)), C.int(axis), s)
	})
}

// GELU is transformers' exact-form GELU, 0.5·x·(1 + erf(x/√2)). On CPU streams float32 input runs
// a vectorised kernel (|error| < 1e-6); elsewhere it is composed from erf.
func (sc *Scope) GELU(x *Array) *Array {
	return sc.unary("gelu", func(r *C.bb_array, a C.bb_array, s C.bb_stream) C.int { return C.bb_gelu(r, a, s) }, x)
}

// MaskedSoftmax is the softmax over the last axis of scores [batch, heads, queries, keys], with
// keys whose keep [batch, keys] entry is 0 given probability 0.
func (sc *Scope) MaskedSoftmax(scores, keep *Array) *Array {
	return sc.op("masked_softmax", []*Array{scores, keep}, func(r *C.bb_array, s C.bb_stream) C.int {
		return C.bb_masked_softmax(r, scores.handle(), keep.handle(), s)
	})
}

// AttentionShaping shapes attention scores beyond the padding mask. The zero value shapes nothing.
type AttentionShaping struct {
	// Bias, when not nil, is a table [heads, 2R+1] (float32) added to the scores by relative
	// position: score(i, j) += Bias[h, clamp(j−i, −R, R) + R], i and j counted from the sequence's
	// first token. MPNet's relative position buckets take this form.
	Bias *Array
	// Window, when positive, lets query i attend only keys j with |i − j| ≤ Window (a sliding
	// window, as ModernBERT's local layers).
	Window int
}

func (a AttentionShaping) inputs(in []*Array) []*Array {
	if a.Bias != nil {
		in = append(in, a.Bias)
	}
	return in
}

// AttentionQKV is BERT's self-attention straight from the fused projection qkv [B·L, 3·H] (q, k
// and v side by side, heads of H/heads columns) with keep [B, L] (1 = attend): softmax(scale·q·kᵀ
// shaped by sh, padding masked)·v, heads side by side as [B·L, H]. Float32 on CPU streams only; a
// prefix mask (padding at the end) computes only the kept keys.
func (sc *Scope) AttentionQKV(qkv, keep *Array, heads int, scale float32, sh AttentionShaping) *Array {
	return sc.op("attention_qkv", sh.inputs([]*Array{qkv, keep}), func(r *C.bb_array, s C.bb_stream) C.int {
		return C.bb_attention_qkv(r, qkv.handle(), keep.handle(), C.int(heads), C.float(scale), sh.Bias.handle(), C.int(sh.Window), s)
	})
}

// Dense is x·wᵀ + b for x [rows, in], w [out, in] and b [out], followed by the exact-form GELU
// when gelu is true. On CPU streams in float32 it is one kernel (the bias copied into the output,
// one matrix product added to it, GELU in place); elsewhere AddMM, then FusedGELU (float32 inside).
func (sc *Scope) Dense(x, w, b *Array, gelu bool) *Array {
	return sc.op("dense", []*Array{x, w, b}, func(r *C.bb_array, s C.bb_stream) C.int {
		return C.bb_dense(r, x.handle(), w.handle(), b.handle(), C.bool(gelu), s)
	})
}

// AttentionVarlenSupported reports whether AttentionVarlen runs on device for this compute dtype
// and head size: float32 on the CPU; float16 or bfloat16 on CUDA, head size a multiple of 16 up to
// 128.
func AttentionVarlenSupported(device DeviceType, dtype Dtype, headDim int) bool {
	var ok C.bool
	err := call("attention_varlen_supported", func() C.int {
		return C.bb_attention_varlen_supported(&ok, device.c(), dtype.c(), C.int(headDim))
	})
	return err == nil && bool(ok)
}

// AttentionVarlen is BERT's self-attention over packed sequences: qkv [T, 3·H] holds every
// sequence's tokens end to end (q, k, v side by side, heads of H/heads columns) and offsets
// [B+1] (int32) says where each starts: sequence b is rows offsets[b] to offsets[b+1]. No
// padding is computed; rows from offsets[B] on come out zero. longest is the longest sequence's
// length and tokens is offsets[B]. The result is [T, H], its scores shaped by sh.
func (sc *Scope) AttentionVarlen(qkv, offsets *Array, heads int, scale float32, longest, tokens int, sh AttentionShaping) *Array {
	return sc.op("attention_varlen", sh.inputs([]*Array{qkv, offsets}), func(r *C.bb_array, s C.bb_stream) C.int {
		return C.bb_attention_varlen(r, qkv.handle(), offsets.handle(), C.int(heads), C.float(scale), C.int(longest), C.int(tokens),
			sh.Bias.handle(), C.int(sh.Window), s)
	})
}
