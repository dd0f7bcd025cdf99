// CPU kernels for the two element-wise steps of a BERT layer that MLX's CPU backend computes
// slowly (transcendentals evaluated one element at a time): exact-form GELU and the masked
// softmax of attention. They are MLX primitives, so they join the lazy graph and run on the
// stream's own thread like any other CPU operation. On other devices the shim composes the same
// result from standard MLX operations.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "mlx/backend/cpu/encoder.h"
#include "mlx/primitives.h"
#include "shim_internal.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define BB_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define BB_VECTOR_CLONES
#endif

namespace bb {
namespace {

// erf on [-4, 4] as an odd-over-even rational function (max |error| 4e-7); saturates outside.
inline float fast_erf(float x) {
  x = std::min(std::max(x, -4.f), 4.f);
  const float x2 = x * x;
  float p = -2.72614225801306e-10f;
  p = p * x2 + 2.77068142495902e-08f;
  p = p * x2 + -2.10102402082508e-06f;
  p = p * x2 + -5.69250639462346e-05f;
  p = p * x2 + -7.34990630326855e-04f;
  p = p * x2 + -2.95459980854025e-03f;
  p = p * x2 + -1.60960333262415e-02f;
  float q = -1.45660718464996e-05f;
  q = q * x2 + -2.13374055278905e-04f;
  q = q * x2 + -1.68282697438203e-03f;
  q = q * x2 + -7.37332916720468e-03f;
  q = q * x2 + -1.42647390514189e-02f;
  return x * p / q;
}

// exp by range reduction to |r| <= ln2/2 and a degree-6 polynomial (max relative error 1e-7).
inline float fast_exp(float x) {
  x = std::min(std::max(x, -87.3f), 88.3f);
  const float shifter = 12582912.f;  // 1.5·2^23: adding it rounds to the nearest integer
  const float n = (x * 1.44269504088896341f + shifter) - shifter;
  const float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.f;
  const int32_t bits = (int32_t(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

BB_VECTOR_CLONES void gelu_span(const float* x, float* y, size_t n) {
  for (size_t i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.f + fast_erf(x[i] * 0.70710678118654752f));
}

// softmax_rows normalises rows of length cols; keys whose keep[] is 0 get probability 0.
BB_VECTOR_CLONES void softmax_rows(const float* s, const float* keep, float* out, size_t rows, size_t cols) {
  for (size_t r = 0; r < rows; r++) {
    const float* in = s + r * cols;
    float* o = out + r * cols;
    float m = -INFINITY;
    for (size_t j = 0; j < cols; j++) m = keep[j] != 0.f ? std::max(m, in[j]) : m;
    float sum = 0.f;
    for (size_t j = 0; j < cols; j++) {
      const float e = keep[j] != 0.f ? fast_exp(in[j] - m) : 0.f;
      o[j] = e;
      sum += e;
    }
    const float inv = sum > 0.f ? 1.f / sum : 0.f;
    for (size_t j = 0; j < cols; j++) o[j] *= inv;
  }
}

// parallel splits [0, n) into chunks of at least grain items over up to the machine's cores.
template <class F>
void parallel(size_t n, size_t grain, F&& f) {
  size_t threads = std::max<size_t>(1, std::min<size_t>(std::thread::hardware_concurrency(), n / grain));
  if (threads <= 1) {
    f(0, n);
    return;
  }
  std::vector<std::thread> pool;
  size_t step = (n + threads - 1) / threads;
  for (size_t t = 1; t < threads; t++) {
    size_t lo = t * step, hi = std::min(n, lo + step);
    if (lo < hi) pool.emplace_back([&f, lo, hi] { f(lo, hi); });
  }
  f(0, std::min(n, step));
  for (auto& th : pool) th.join();
}

class FastGelu : public mx::UnaryPrimitive {
 public:
  explicit FastGelu(mx::Stream s) : UnaryPrimitive(s) {}
  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    const mx::array& x = inputs[0];
    out.set_data(mx::allocator::malloc(out.nbytes()));
    auto& enc = mx::cpu::get_command_encoder(stream());
    enc.set_input_array(x);
    enc.set_output_array(out);
    enc.dispatch([x = mx::array::unsafe_weak_copy(x), out = mx::array::unsafe_weak_copy(out)]() mutable {
      const float* in = x.data<float>();
      float* o = out.data<float>();
      parallel(out.size(), 1 << 16, [&](size_t lo, size_t hi) { gelu_span(in + lo, o + lo, hi - lo); });
    });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("FastGelu runs on CPU streams only");
  }
  const char* name() const override { return "FastGelu"; }
  bool is_equivalent(const mx::Primitive&) const override { return true; }
};

// MaskedSoftmax: scores [B, H, Lq, Lk] and keep [B, Lk] (1 = attend) to probabilities.
class MaskedSoftmax : public mx::UnaryPrimitive {
 public:
  explicit MaskedSoftmax(mx::Stream s) : UnaryPrimitive(s) {}
  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    const mx::array& s = inputs[0];
    const mx::array& keep = inputs[1];
    out.set_data(mx::allocator::malloc(out.nbytes()));
    auto& enc = mx::cpu::get_command_encoder(stream());
    enc.set_input_array(s);
    enc.set_input_array(keep);
    enc.set_output_array(out);
    enc.dispatch([s = mx::array::unsafe_weak_copy(s), keep = mx::array::unsafe_weak_copy(keep),
                  out = mx::array::unsafe_weak_copy(out)]() mutable {
      const size_t B = s.shape(0), rowsPerBatch = size_t(s.shape(1)) * s.shape(2), L = s.shape(3);
      const float* in = s.data<float>();
      const float* k = keep.data<float>();
      float* o = out.data<float>();
      parallel(B, 1, [&](size_t lo, size_t hi) {
        for (size_t b = lo; b < hi; b++) {
          softmax_rows(in + b * rowsPerBatch * L, k + b * L, o + b * rowsPerBatch * L, rowsPerBatch, L);
        }
      });
    });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("MaskedSoftmax runs on CPU streams only");
  }
  const char* name() const override { return "MaskedSoftmax"; }
  bool is_equivalent(const mx::Primitive&) const override { return true; }
};

bool cpu_float32(const mx::Stream& s, const mx::array& a) {
  return s.device == mx::Device::cpu && a.dtype() == mx::float32;
}

}  // namespace
}  // namespace bb

using namespace bb;

extern "C" {

int bb_gelu(bb_array* res, bb_array a, bb_stream s) {
  return guard([&] {
    const mx::Stream& st = stream(s);
    const mx::array& x = arr(a);
    if (!cpu_float32(st, x)) {
      // 0.5·x·(1 + erf(x/√2)) from standard operations.
      auto half = mx::array(0.5f, x.dtype());
      auto y = mx::multiply(mx::multiply(x, half, st),
                            mx::add(mx::array(1.f, x.dtype()), mx::erf(mx::multiply(x, mx::array(float(M_SQRT1_2), x.dtype()), st), st), st),
                            st);
      put(res, y);
      return;
    }
    auto xc = mx::contiguous(x, false, st);
    put(res, mx::array(xc.shape(), mx::float32, std::make_shared<FastGelu>(st), {xc}));
  });
}

int bb_masked_softmax(bb_array* res, bb_array scores, bb_array keep, bb_stream s) {
  return guard([&] {
    const mx::Stream& st = stream(s);
    const mx::array& sc = arr(scores);
    const mx::array& k = arr(keep);
    if (sc.ndim() != 4 || k.ndim() != 2 || k.shape(0) != sc.shape(0) || k.shape(1) != sc.shape(3)) {
      throw std::invalid_argument("masked_softmax wants scores [B, H, Lq, Lk] and keep [B, Lk]");
    }
    if (!cpu_float32(st, sc)) {
      auto kb = mx::reshape(mx::greater(k, mx::array(0.f), st), {k.shape(0), 1, 1, k.shape(1)}, st);
      auto masked = mx::where(kb, sc, mx::array(-INFINITY, sc.dtype()), st);
      put(res, mx::softmax(masked, std::vector<int>{-1}, true, st));
      return;
    }
    auto sc_c = mx::contiguous(sc, false, st);
    auto k_c = mx::contiguous(mx::astype(k, mx::float32, st), false, st);
    put(res, mx::array(sc_c.shape(), mx::float32, std::make_shared<MaskedSoftmax>(st), {sc_c, k_c}));
  });
}

}  // extern "C"
