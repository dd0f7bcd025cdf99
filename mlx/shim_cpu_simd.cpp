// Row kernels shared by the CPU primitives (see shim_cpu_simd.h) and the thread setting.
#include "shim_cpu_simd.h"

#include <dlfcn.h>

#include <stdexcept>

#include "shim_internal.h"

namespace bb {

std::atomic<int>& kernel_threads() {
  static std::atomic<int> n{int(std::max(1u, std::thread::hardware_concurrency()))};
  return n;
}

bool vector_isa() {
#if BB_X86
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
#else
  return false;
#endif
}

sgemm_fn cblas_sgemm() {
  static const sgemm_fn f = reinterpret_cast<sgemm_fn>(dlsym(RTLD_DEFAULT, "cblas_sgemm"));
  if (f == nullptr) throw std::runtime_error("the CPU kernels need cblas_sgemm, which MLX's BLAS library does not export");
  return f;
}

namespace {

void softmax_row_scalar(float* row, size_t n) {
  float m = -INFINITY;
  for (size_t j = 0; j < n; j++) m = std::max(m, row[j]);
  float sum = 0.f;
  for (size_t j = 0; j < n; j++) {
    row[j] = exp_scalar(row[j] - m);
    sum += row[j];
  }
  const float inv = 1.f / sum;
  for (size_t j = 0; j < n; j++) row[j] *= inv;
}

void masked_softmax_row_scalar(const float* in, const float* keep, float* out, size_t n) {
  float m = -INFINITY;
  for (size_t j = 0; j < n; j++) m = keep[j] != 0.f ? std::max(m, in[j]) : m;
  float sum = 0.f;
  for (size_t j = 0; j < n; j++) {
    const float e = keep[j] != 0.f ? exp_scalar(in[j] - m) : 0.f;
    out[j] = e;
    sum += e;
  }
  const float inv = sum > 0.f ? 1.f / sum : 0.f;
  for (size_t j = 0; j < n; j++) out[j] *= inv;
}

#if BB_X86
BB_AVX2 void softmax_row_avx2(float* row, size_t n) {
  size_t j = 0;
  __m256 mv = _mm256_set1_ps(-INFINITY);
  for (; j + 8 <= n; j += 8) mv = _mm256_max_ps(mv, _mm256_loadu_ps(row + j));
  float m = hmax8(mv);
  for (; j < n; j++) m = std::max(m, row[j]);
  const __m256 m8 = _mm256_set1_ps(m);
  __m256 sv = _mm256_setzero_ps();
  for (j = 0; j + 8 <= n; j += 8) {
    const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(row + j), m8));
    _mm256_storeu_ps(row + j, e);
    sv = _mm256_add_ps(sv, e);
  }
  float sum = hsum8(sv);
  for (; j < n; j++) {
    row[j] = exp_scalar(row[j] - m);
    sum += row[j];
  }
  const float inv = 1.f / sum;
  const __m256 inv8 = _mm256_set1_ps(inv);
  for (j = 0; j + 8 <= n; j += 8) _mm256_storeu_ps(row + j, _mm256_mul_ps(_mm256_loadu_ps(row + j), inv8));
  for (; j < n; j++) row[j] *= inv;
}

BB_AVX2 void masked_softmax_row_avx2(const float* in, const float* keep, float* out, size_t n) {
  const __m256 zero = _mm256_setzero_ps(), ninf = _mm256_set1_ps(-INFINITY);
  size_t j = 0;
  __m256 mv = ninf;
  for (; j + 8 <= n; j += 8) {
    const __m256 kept = _mm256_cmp_ps(_mm256_loadu_ps(keep + j), zero, _CMP_NEQ_OQ);
    mv = _mm256_max_ps(mv, _mm256_blendv_ps(ninf, _mm256_loadu_ps(in + j), kept));
  }
  float m = hmax8(mv);
  for (; j < n; j++) m = keep[j] != 0.f ? std::max(m, in[j]) : m;
  if (m == -INFINITY) {  // no kept key
    std::fill(out, out + n, 0.f);
    return;
  }
  const __m256 m8 = _mm256_set1_ps(m);
  __m256 sv = zero;
  for (j = 0; j + 8 <= n; j += 8) {
    const __m256 kept = _mm256_cmp_ps(_mm256_loadu_ps(keep + j), zero, _CMP_NEQ_OQ);
    const __m256 e = _mm256_and_ps(exp8(_mm256_sub_ps(_mm256_loadu_ps(in + j), m8)), kept);
    _mm256_storeu_ps(out + j, e);
    sv = _mm256_add_ps(sv, e);
  }
  float sum = hsum8(sv);
  for (; j < n; j++) {
    out[j] = keep[j] != 0.f ? exp_scalar(in[j] - m) : 0.f;
    sum += out[j];
  }
  const float inv = sum > 0.f ? 1.f / sum : 0.f;
  const __m256 inv8 = _mm256_set1_ps(inv);
  for (j = 0; j + 8 <= n; j += 8) _mm256_storeu_ps(out + j, _mm256_mul_ps(_mm256_loadu_ps(out + j), inv8));
  for (; j < n; j++) out[j] *= inv;
}
#endif

void gelu_span_scalar(const float* x, float* y, size_t n) {
  for (size_t i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.f + erf_scalar(x[i] * 0.70710678118654752f));
}

#if BB_X86
BB_AVX2 void gelu_span_avx2(const float* x, float* y, size_t n) {
  const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.f), rsqrt2 = _mm256_set1_ps(0.70710678118654752f);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256 e = erf8(_mm256_mul_ps(v, rsqrt2));
    _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_mul_ps(half, v), _mm256_add_ps(one, e)));
  }
  gelu_span_scalar(x + i, y + i, n - i);
}
#endif

}  // namespace

void gelu_span(const float* x, float* y, size_t n) {
#if BB_X86
  if (vector_isa()) return gelu_span_avx2(x, y, n);
#endif
  gelu_span_scalar(x, y, n);
}

void softmax_row(float* row, size_t n) {
  if (n == 0) return;
#if BB_X86
  if (vector_isa()) return softmax_row_avx2(row, n);
#endif
  softmax_row_scalar(row, n);
}

void masked_softmax_row(const float* in, const float* keep, float* out, size_t n) {
#if BB_X86
  if (vector_isa()) return masked_softmax_row_avx2(in, keep, out, n);
#endif
  masked_softmax_row_scalar(in, keep, out, n);
}

}  // namespace bb

extern "C" {

int bb_set_kernel_threads(int n) {
  return bb::guard([&] {
    if (n < 1) throw std::invalid_argument("kernel threads must be at least 1");
    bb::kernel_threads().store(n);
  });
}

}  // extern "C"
