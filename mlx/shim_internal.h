// Helpers shared by the shim's translation units.
#pragma once

#include <optional>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>

#include "mlx/mlx.h"
#include "shim.h"

namespace bb {

namespace mx = mlx::core;

void set_error(const char* msg);

// wrong_thread is thrown when a stream is used on an OS thread other than the one that made it;
// guard turns it into BB_ERR_WRONG_THREAD.
struct wrong_thread : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// guard runs f and turns any C++ exception into a status and a per-thread message.
template <class F>
int guard(F&& f) {
  try {
    f();
    return BB_OK;
  } catch (const wrong_thread& e) {
    set_error(e.what());
    return BB_ERR_WRONG_THREAD;
  } catch (const std::exception& e) {
    set_error(e.what());
  } catch (...) {
    set_error("unknown C++ exception");
  }
  return BB_ERR;
}

inline mx::array& arr(bb_array a) {
  if (a.ctx == nullptr) throw std::invalid_argument("null array handle (already freed?)");
  return *static_cast<mx::array*>(a.ctx);
}

// StreamHandle is what a bb_stream points to: the MLX stream and the OS thread that made it.
struct StreamHandle {
  mx::Stream stream;
  std::thread::id owner;  // compared on every use: one thread-pointer read
  long owner_tid;         // the kernel's id of the owner, for messages
};

[[noreturn]] void throw_wrong_thread(const StreamHandle& h);

// stream returns the MLX stream of s, refusing a freed handle and a call from an OS thread other
// than the one that made the stream (MLX keeps a stream's state per thread).
inline mx::Stream& stream(bb_stream s) {
  if (s.ctx == nullptr) throw std::invalid_argument("null stream handle (already freed?)");
  auto& h = *static_cast<StreamHandle*>(s.ctx);
  if (h.owner != std::this_thread::get_id()) [[unlikely]] throw_wrong_thread(h);
  return h.stream;
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

// cuda_attention_varlen is attention over packed sequences (see bb_attention_varlen) as one CUDA
// kernel; longest is the longest sequence's length and tokens is offsets[B]; bias (a table
// [heads, 2R+1] by relative position) and window (> 0: keys at most that far) shape the scores as
// on the CPU. It throws where cuda_attention_varlen_supported is false.
mx::array cuda_attention_varlen(const mx::array& qkv, const mx::array& offsets, int heads, float scale, int longest,
                                int tokens, const std::optional<mx::array>& bias, int window, const mx::Stream& s);

mx::Dtype to_dtype(bb_dtype d);
bb_dtype from_dtype(mx::Dtype d);

}  // namespace bb
