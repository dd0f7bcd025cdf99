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

// FusedScaleMask is scores·scale + mask as one compiled kernel: attention's scaled scores with an
// additive mask (0 = attend, -inf = padding) broadcast from [batch, 1, 1, keys].
func (sc *Scope) FusedScaleMask(scores *Array, scale float32, mask *Array) *Array {
	return sc.op("scale_mask_fused", []*Array{scores, mask}, func(r *C.bb_array, s C.bb_stream) C.int {
		return C.bb_scale_mask_fused(r, scores.handle(), C.float(scale), mask.handle(), s)
	})
}
