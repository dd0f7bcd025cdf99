// LayerNorm(x [+ residual]) on the CPU as one MLX primitive: one pass adds the residual and sums,
// one computes the variance around the mean (two-pass, as precise as PyTorch's), one scales and
// shifts; each row stays in cache between the passes. MLX's own CPU layer_norm runs as a chain of
// separate operations, each a pass over memory with a buffer of its own.
#include <stdexcept>

#include "mlx/backend/cpu/encoder.h"
#include "mlx/primitives.h"
#include "shim_cpu_simd.h"
#include "shim_internal.h"

namespace bb {
namespace {

void norm_row_scalar(const float* x, const float* r, const float* w, const float* b, float eps, float* y, size_t n) {
  float sum = 0.f;
  for (size_t j = 0; j < n; j++) {
    y[j] = r ? x[j] + r[j] : x[j];
    sum += y[j];
  }
  const float mean = sum / float(n);
  float var = 0.f;
  for (size_t j = 0; j < n; j++) var += (y[j] - mean) * (y[j] - mean);
  const float inv = 1.f / std::sqrt(var / float(n) + eps);
  for (size_t j = 0; j < n; j++) y[j] = (y[j] - mean) * inv * w[j] + b[j];
}

#if BB_X86
BB_AVX2 void norm_row_avx2(const float* x, const float* r, const float* w, const float* b, float eps, float* y, size_t n) {
  size_t j = 0;
  __m256 sv = _mm256_setzero_ps();
  for (; j + 8 <= n; j += 8) {
    __m256 a = _mm256_loadu_ps(x + j);
    if (r) a = _mm256_add_ps(a, _mm256_loadu_ps(r + j));
    _mm256_storeu_ps(y + j, a);
    sv = _mm256_add_ps(sv, a);
  }
  float sum = hsum8(sv);
  for (; j < n; j++) {
    y[j] = r ? x[j] + r[j] : x[j];
    sum += y[j];
  }
  const float mean = sum / float(n);
  const __m256 m8 = _mm256_set1_ps(mean);
  __m256 vv = _mm256_setzero_ps();
  for (j = 0; j + 8 <= n; j += 8) {
    const __m256 c = _mm256_sub_ps(_mm256_loadu_ps(y + j), m8);
    vv = _mm256_fmadd_ps(c, c, vv);
  }
  float var = hsum8(vv);
  for (; j < n; j++) var += (y[j] - mean) * (y[j] - mean);
  const float inv = 1.f / std::sqrt(var / float(n) + eps);
  const __m256 i8 = _mm256_set1_ps(inv);
  for (j = 0; j + 8 <= n; j += 8) {
    const __m256 c = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(y + j), m8), i8);
    _mm256_storeu_ps(y + j, _mm256_fmadd_ps(c, _mm256_loadu_ps(w + j), _mm256_loadu_ps(b + j)));
  }
  for (; j < n; j++) y[j] = (y[j] - mean) * inv * w[j] + b[j];
}
#endif

void norm_row(const float* x, const float* r, const float* w, const float* b, float eps, float* y, size_t n) {
#if BB_X86
  if (vector_isa()) return norm_row_avx2(x, r, w, b, eps, y, n);
#endif
  norm_row_scalar(x, r, w, b, eps, y, n);
}

// AddLayerNorm: inputs x [rows, n], optionally residual [rows, n], then weight [n] and bias [n].
class AddLayerNorm : public mx::UnaryPrimitive {
 public:
  AddLayerNorm(mx::Stream s, float eps) : UnaryPrimitive(s), eps_(eps) {}

  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    out.set_data(mx::allocator::malloc(out.nbytes()));
    auto& enc = mx::cpu::get_command_encoder(stream());
    for (const auto& in : inputs) enc.set_input_array(in);
    enc.set_output_array(out);
    const bool residual = inputs.size() == 4;
    const mx::array& x = inputs[0];
    const mx::array& r = inputs[residual ? 1 : 0];
    const mx::array& w = inputs[residual ? 2 : 1];
    const mx::array& b = inputs[residual ? 3 : 2];
    enc.dispatch([x = mx::array::unsafe_weak_copy(x), r = mx::array::unsafe_weak_copy(r), w = mx::array::unsafe_weak_copy(w),
                  b = mx::array::unsafe_weak_copy(b), out = mx::array::unsafe_weak_copy(out), residual, eps = eps_]() mutable {
      const size_t n = x.shape(-1), rows = x.size() / n;
      const float *xp = x.data<float>(), *rp = residual ? r.data<float>() : nullptr;
      const float *wp = w.data<float>(), *bp = b.data<float>();
      float* y = out.data<float>();
      parallel(rows, 256, [&](size_t lo, size_t hi) {
        for (size_t i = lo; i < hi; i++) norm_row(xp + i * n, rp ? rp + i * n : nullptr, wp, bp, eps, y + i * n, n);
      });
    });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("AddLayerNorm runs on CPU streams only");
  }
  const char* name() const override { return "AddLayerNorm"; }
  bool is_equivalent(const mx::Primitive& other) const override {
    return eps_ == static_cast<const AddLayerNorm&>(other).eps_;
  }

 private:
  float eps_;
};

}  // namespace

bool cpu_layer_norm_applies(const mx::Stream& s, const mx::array& x, const mx::array& w, const mx::array& b) {
  return s.device == mx::Device::cpu && x.dtype() == mx::float32 && w.dtype() == mx::float32 &&
         b.dtype() == mx::float32 && x.ndim() >= 1 && w.ndim() == 1 && b.ndim() == 1 && w.shape(0) == x.shape(-1) &&
         b.shape(0) == x.shape(-1);
}

mx::array cpu_layer_norm(const mx::array& x, const mx::array* residual, const mx::array& w, const mx::array& b,
                         float eps, const mx::Stream& s) {
  std::vector<mx::array> in{mx::contiguous(x, false, s)};
  if (residual != nullptr) {
    if (residual->shape() != x.shape() || residual->dtype() != mx::float32) {
      throw std::invalid_argument("add_layer_norm wants x and residual of one shape, float32");
    }
    in.push_back(mx::contiguous(*residual, false, s));
  }
  in.push_back(mx::contiguous(w, false, s));
  in.push_back(mx::contiguous(b, false, s));
  return mx::array(x.shape(), mx::float32, std::make_shared<AddLayerNorm>(s, eps), std::move(in));
}

}  // namespace bb
