// Helpers shared by the shim's translation units.
#pragma once

#include <optional>
#include <exception>
#include <string>

#include "mlx/mlx.h"
#include "shim.h"

namespace bb {

namespace mx = mlx::core;

void set_error(const char* msg);

// guard runs f and turns any C++ exception into a status and a per-thread message.
template <class F>
int guard(F&& f) {
  try {
    f();
    return 0;
  } catch (const std::exception& e) {
    set_error(e.what());
  } catch (...) {
    set_error("unknown C++ exception");
  }
  return 1;
}

inline mx::array& arr(bb_array a) {
  if (a.ctx == nullptr) throw std::invalid_argument("null array handle (already freed?)");
  return *static_cast<mx::array*>(a.ctx);
}

inline mx::Stream& stream(bb_stream s) {
  if (s.ctx == nullptr) throw std::invalid_argument("null stream handle (already freed?)");
  return *static_cast<mx::Stream*>(s.ctx);
}

inline void put(bb_array* res, mx::array a) { res->ctx = new mx::array(std::move(a)); }

// cpu_layer_norm_applies reports whether cpu_layer_norm takes these arrays on stream s: a CPU
// stream, float32, weight and bias of x's last dimension.
bool cpu_layer_norm_applies(const mx::Stream& s, const mx::array& x, const mx::array& w, const mx::array& b);

// cpu_layer_norm is LayerNorm(x + residual) over the last axis as one CPU primitive; residual may
// be null.
mx::array cpu_layer_norm(const mx::array& x, const mx::array* residual, const mx::array& w, const mx::array& b,
                         float eps, const mx::Stream& s);

// fused_gelu is the exact-form GELU of x computed in float32 as one compiled kernel on stream s,
// returned in x's dtype (shim_fused.cpp).
mx::array fused_gelu(const mx::array& x, const mx::Stream& s);

// cuda_attention_varlen_supported reports whether cuda_attention_varlen runs on device d for this
// dtype and head size.
bool cuda_attention_varlen_supported(const mx::Device& d, mx::Dtype dtype, int head_dim);

// fused_gelu is the exact-form GELU of x computed in float32 as one compiled kernel on stream s,
// returned in x's dtype (shim_fused.cpp).
mx::array fused_gelu(const mx::array& x, const mx::Stream& s);

// cuda_attention_varlen is attention over packed sequences (see bb_attention_varlen) as one CUDA
// kernel; longest is the longest sequence's length and tokens is offsets[B]; bias (a table
// [heads, 2R+1] by relative position) and window (> 0: keys at most that far) shape the scores as
// on the CPU. It throws where cuda_attention_varlen_supported is false.
mx::array cuda_attention_varlen(const mx::array& qkv, const mx::array& offsets, int heads, float scale, int longest,
                                int tokens, const std::optional<mx::array>& bias, int window, const mx::Stream& s);

mx::Dtype to_dtype(bb_dtype d);
bb_dtype from_dtype(mx::Dtype d);

}  // namespace bb
