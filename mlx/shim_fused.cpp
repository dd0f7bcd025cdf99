// Fused element-wise steps for accelerator streams. Each is a function compiled with mx::compile
// (shapeless), so MLX emits one kernel for the whole chain instead of one kernel, and one pass
// over memory, per operation. The CPU path does not use them: its own kernels live in
// shim_kernels.cpp.
//
// mx::compile keeps its trace cache per thread and per default stream, so every call sets the
// caller's stream as the thread's default for the duration of the call (StreamContext): the
// compiled graph then runs on that stream like any other operation of the scope.
#include <cmath>

#include "shim_internal.h"

namespace bb {
namespace {

// gelu_erf is transformers' exact GELU, 0.5·x·(1 + erf(x/√2)), evaluated in float32 and returned
// in x's dtype: inside one fused kernel the upcast costs no memory traffic.
std::vector<mx::array> gelu_erf(const std::vector<mx::array>& in) {
  const mx::array& x = in[0];
  mx::array xf = mx::astype(x, mx::float32);
  mx::array y = mx::multiply(mx::multiply(xf, mx::array(0.5f)),
                             mx::add(mx::array(1.f), mx::erf(mx::multiply(xf, mx::array(float(M_SQRT1_2))))));
  return {mx::astype(y, x.dtype())};
}

const auto& compiled_gelu() {
  static const auto f = mx::compile(gelu_erf, /*shapeless=*/true);
  return f;
}

}  // namespace

mx::array fused_gelu(const mx::array& x, const mx::Stream& s) {
  mx::StreamContext ctx(s);
  return compiled_gelu()({x})[0];
}

}  // namespace bb

using namespace bb;

extern "C" {

int bb_gelu_fused(bb_array* res, bb_array a, bb_stream s) {
  return guard([&] { put(res, fused_gelu(arr(a), stream(s))); });
}

}  // extern "C"
