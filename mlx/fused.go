package mlx

/*
#include "shim.h"
*/
import "C"

// FusedGELU is transformers' exact-form GELU, 0.5·x·(1 + erf(x/√2)), as one compiled kernel that
// computes in float32 and returns x's dtype. It is meant for GPU streams, where the composed form
// costs one pass over memory per operation; on CPU streams GELU's vectorised kernel is faster.
func (sc *Scope) FusedGELU(x *Array) *Array {
	return sc.unary("gelu_fused", func(r *C.bb_array, a C.bb_array, s C.bb_stream) C.int { return C.bb_gelu_fused(r, a, s) }, x)
}

// AddLayerNorm is LayerNorm(x + residual) over the last axis of x [rows, hidden], scaled by weight
// and shifted by bias. On CUDA it is one kernel that keeps the sum in float32; on CPU streams in
// float32 one vectorised kernel; elsewhere Add then LayerNorm.
func (sc *Scope) AddLayerNorm(x, residual, weight, bias *Array, eps float32) *Array {
	return sc.op("add_layer_norm", []*Array{x, residual, weight, bias}, func(r *C.bb_array, s C.bb_stream) C.int {
		return C.bb_add_layer_norm(r, x.handle(), residual.handle(), weight.handle(), bias.handle(), C.float(eps), s)
	})
}

// ScaledMaskedSoftmax is softmax(scores·scale + mask) over the last axis of scores [batch, heads,
// queries, keys], with an additive mask [batch, keys] (0 = attend, -inf = padding). On CUDA it is
// one kernel computing in float32; elsewhere it is composed from MLX operations.
func (sc *Scope) ScaledMaskedSoftmax(scores *Array, scale float32, mask *Array) *Array {
	return sc.op("masked_softmax_scaled", []*Array{scores, mask}, func(r *C.bb_array, s C.bb_stream) C.int {
		return C.bb_masked_softmax_scaled(r, scores.handle(), C.float(scale), mask.handle(), s)
	})
}
