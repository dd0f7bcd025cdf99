// Vector math and threading shared by the shim's CPU kernels.
//
// Each kernel has a portable scalar loop and, on x86-64, an AVX2+FMA loop chosen at run time
// (vector_isa()). Both evaluate the same formulas: exp by range reduction and a degree-6
// polynomial (relative error 1e-7), erf as a rational function on [-4, 4] (|error| 4e-7).
// parallel() splits work over the threads set by bb_set_kernel_threads (default: every core).
// Matrix products go through cblas_sgemm() of MLX's own BLAS library.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define BB_X86 1
#define BB_AVX2 __attribute__((target("avx2,fma")))
#else
#define BB_X86 0
#endif

namespace bb {

// kernel_threads is how many threads one CPU kernel call may use.
std::atomic<int>& kernel_threads();

// vector_isa reports whether the AVX2+FMA loops may run on this CPU.
bool vector_isa();

// parallel splits [0, n) into contiguous chunks of at least grain items over up to kernel_threads()
// threads; f(lo, hi) runs once per chunk, the first chunk on the calling thread.
template <class F>
void parallel(size_t n, size_t grain, F&& f) {
  size_t threads = std::max<size_t>(1, std::min<size_t>(size_t(kernel_threads().load()), n / std::max<size_t>(grain, 1)));
  if (threads <= 1) {
    f(size_t(0), n);
    return;
  }
  std::vector<std::thread> pool;
  size_t step = (n + threads - 1) / threads;
  for (size_t t = 1; t < threads; t++) {
    size_t lo = t * step, hi = std::min(n, lo + step);
    if (lo < hi) pool.emplace_back([&f, lo, hi] { f(lo, hi); });
  }
  f(size_t(0), std::min(n, step));
  for (auto& th : pool) th.join();
}

// erf on [-4, 4] as an odd-over-even rational function (max |error| 4e-7); saturates outside.
inline float erf_scalar(float x) {
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
inline float exp_scalar(float x) {
  x = std::min(std::max(x, -87.3f), 88.3f);
  const float n = std::nearbyint(x * 1.44269504088896341f);
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

#if BB_X86
BB_AVX2 inline __m256 erf8(__m256 x) {
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-4.f)), _mm256_set1_ps(4.f));
  const __m256 x2 = _mm256_mul_ps(x, x);
  __m256 p = _mm256_set1_ps(-2.72614225801306e-10f);
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(2.77068142495902e-08f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-2.10102402082508e-06f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-5.69250639462346e-05f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-7.34990630326855e-04f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-2.95459980854025e-03f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-1.60960333262415e-02f));
  __m256 q = _mm256_set1_ps(-1.45660718464996e-05f);
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(-2.13374055278905e-04f));
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(-1.68282697438203e-03f));
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(-7.37332916720468e-03f));
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(-1.42647390514189e-02f));
  return _mm256_div_ps(_mm256_mul_ps(x, p), q);
}

BB_AVX2 inline __m256 exp8(__m256 x) {
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.3f));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fmadd_ps(n, _mm256_set1_ps(2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_add_ps(_mm256_fmadd_ps(_mm256_mul_ps(p, r), r, r), _mm256_set1_ps(1.f));
  const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

// hsum8 adds a vector's eight lanes.
BB_AVX2 inline float hsum8(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// hmax8 is a vector's largest lane.
BB_AVX2 inline float hmax8(__m256 v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
#endif

// CBLAS's enumerations, as every implementation (OpenBLAS, MKL, BLIS, Accelerate) defines them.
constexpr int kCblasRowMajor = 101, kCblasNoTrans = 111, kCblasTrans = 112;
using sgemm_fn = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);

// cblas_sgemm is the cblas_sgemm of the BLAS library MLX itself links to.
sgemm_fn cblas_sgemm();

// gelu_span is the exact-form GELU, 0.5·x·(1 + erf(x/√2)), of x[0, n) into y (which may be x).
void gelu_span(const float* x, float* y, size_t n);

// softmax_row normalises row[0, n) in place (the row holds no masked keys).
void softmax_row(float* row, size_t n);

// masked_softmax_row writes the softmax of in[0, n) to out, keys whose keep[] is 0 getting 0;
// a row with no kept key is all zeros.
void masked_softmax_row(const float* in, const float* keep, float* out, size_t n);

}  // namespace bb
