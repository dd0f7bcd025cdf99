// Fused CUDA kernels for the GPU path, compiled at run time by MLX (fast::cuda_kernel, NVRTC) the
// first time each dtype and size variant is used. Each replaces a chain of MLX operations that
// would otherwise read and write the same large tensor several times:
//   add_layer_norm  LayerNorm(x + residual), the residual sum kept in float32 (one read of each
//                   input, one write, instead of an add pass and a norm pass);
//   masked_softmax  softmax(scores·scale + mask) over the last axis with an additive per-key mask
//                   (one read and one write of the scores instead of two of each).
// Both assign one warp to one row and compute in float32. On CPU streams add_layer_norm runs the
// CPU primitive of shim_cpu_layernorm.cpp; where MLX has no CUDA backend (Metal) the same results
// are composed from standard MLX operations.
#include <stdexcept>
#include <string>

#include "mlx/backend/cuda/cuda.h"
#include "shim_internal.h"

namespace bb {
namespace {

constexpr const char* kAddLayerNorm = R"(
  const int lane = threadIdx.x % 32;
  const long row = (long(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
  if (row >= x_shape[0]) return;
  const T* xr = x + row * H;
  const T* rr = r + row * H;
  float v[PER];
  float sum = 0.f;
#pragma unroll
  for (int i = 0; i < PER; i++) {
    const int j = lane + 32 * i;
    float a = 0.f;
    if (j < H) a = static_cast<float>(xr[j]) + static_cast<float>(rr[j]);
    v[i] = a;
    sum += a;
  }
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) sum += __shfl_xor_sync(0xffffffffu, sum, o);
  const float mean = sum / H;
  float sq = 0.f;
#pragma unroll
  for (int i = 0; i < PER; i++) {
    const int j = lane + 32 * i;
    const float d = v[i] - mean;
    if (j < H) sq += d * d;
  }
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) sq += __shfl_xor_sync(0xffffffffu, sq, o);
  const float inv = rsqrtf(sq / H + eps[0]);
  T* yr = y + row * H;
#pragma unroll
  for (int i = 0; i < PER; i++) {
    const int j = lane + 32 * i;
    if (j < H) yr[j] = static_cast<T>((v[i] - mean) * inv * static_cast<float>(w[j]) + static_cast<float>(b[j]));
  }
)";

constexpr const char* kMaskedSoftmax = R"(
  const int lane = threadIdx.x % 32;
  const long row = (long(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
  const long per_batch = long(s_shape[1]) * s_shape[2];
  if (row >= long(s_shape[0]) * per_batch) return;
  const int L = s_shape[3];
  const float neg_inf = -cuda::std::numeric_limits<float>::infinity();
  const T* sr = s + row * L;
  const T* mr = mask + (row / per_batch) * L;
  float v[PER];
  float mx = neg_inf;
#pragma unroll
  for (int i = 0; i < PER; i++) {
    const int j = lane + 32 * i;
    float a = neg_inf;
    if (j < L) a = static_cast<float>(sr[j]) * scale[0] + static_cast<float>(mr[j]);
    v[i] = a;
    mx = fmaxf(mx, a);
  }
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, o));
  float sum = 0.f;
#pragma unroll
  for (int i = 0; i < PER; i++) {
    const float e = v[i] == neg_inf ? 0.f : __expf(v[i] - mx);
    v[i] = e;
    sum += e;
  }
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) sum += __shfl_xor_sync(0xffffffffu, sum, o);
  const float inv = 1.f / sum;
  T* pr = p + row * L;
#pragma unroll
  for (int i = 0; i < PER; i++) {
    const int j = lane + 32 * i;
    if (j < L) pr[j] = static_cast<T>(v[i] * inv);
  }
)";

const mx::fast::CustomKernelFunction& add_layer_norm_kernel() {
  static const auto k = mx::fast::cuda_kernel("bb_add_layer_norm", {"x", "r", "w", "b", "eps"}, {"y"}, kAddLayerNorm);
  return k;
}

const mx::fast::CustomKernelFunction& masked_softmax_kernel() {
  static const auto k = mx::fast::cuda_kernel("bb_masked_softmax", {"s", "mask", "scale"}, {"p"}, kMaskedSoftmax);
  return k;
}

bool cuda_stream(const mx::Stream& s) { return s.device == mx::Device::gpu && mx::cu::is_available(); }

// lanes_per_row is how many elements each of a warp's 32 lanes holds for rows of n elements,
// rounded up to a power of two so that few kernel variants are compiled.
int lanes_per_row(int n) {
  int per = 1;
  while (per * 32 < n) per *= 2;
  return per;
}

constexpr int kThreads = 128;  // four warps, four rows, per block

}  // namespace
}  // namespace bb

using namespace bb;

extern "C" {

int bb_add_layer_norm(bb_array* res, bb_array x, bb_array residual, bb_array weight, bb_array bias, float eps,
                      bb_stream s) {
  return guard([&] {
    const mx::Stream& st = stream(s);
    const mx::array& a = arr(x);
    if (cpu_layer_norm_applies(st, a, arr(weight), arr(bias)) && arr(residual).dtype() == mx::float32) {
      put(res, cpu_layer_norm(a, &arr(residual), arr(weight), arr(bias), eps, st));
      return;
    }
    if (!cuda_stream(st)) {
      put(res, mx::fast::layer_norm(mx::add(a, arr(residual), st), arr(weight), arr(bias), eps, st));
      return;
    }
    if (a.ndim() != 2 || arr(residual).shape() != a.shape() || arr(weight).ndim() != 1 ||
        arr(weight).shape(0) != a.shape(1) || arr(bias).shape() != arr(weight).shape()) {
      throw std::invalid_argument("add_layer_norm wants x and residual [rows, hidden], weight and bias [hidden]");
    }
    const int rows = a.shape(0), hidden = a.shape(1);
    auto out = add_layer_norm_kernel()(
        {a, mx::astype(arr(residual), a.dtype(), st), mx::astype(arr(weight), a.dtype(), st),
         mx::astype(arr(bias), a.dtype(), st), mx::array(eps)},
        {a.shape()}, {a.dtype()}, {rows * 32, 1, 1}, {kThreads, 1, 1},
        {{"T", a.dtype()}, {"H", hidden}, {"PER", lanes_per_row(hidden)}}, std::nullopt, false, st);
    put(res, out[0]);
  });
}

int bb_masked_softmax_scaled(bb_array* res, bb_array scores, float scale, bb_array mask, bb_stream s) {
  return guard([&] {
    const mx::Stream& st = stream(s);
    const mx::array& sc = arr(scores);
    const mx::array& m = arr(mask);
    if (sc.ndim() != 4 || m.ndim() != 2 || m.shape(0) != sc.shape(0) || m.shape(1) != sc.shape(3)) {
      throw std::invalid_argument("masked_softmax_scaled wants scores [B, H, Lq, Lk] and an additive mask [B, Lk]");
    }
    if (!cuda_stream(st)) {
      auto bm = mx::reshape(m, {m.shape(0), 1, 1, m.shape(1)}, st);
      auto x = mx::add(mx::multiply(sc, mx::array(scale, sc.dtype()), st), mx::astype(bm, sc.dtype(), st), st);
      put(res, mx::softmax(x, std::vector<int>{-1}, true, st));
      return;
    }
    const long rows = long(sc.shape(0)) * sc.shape(1) * sc.shape(2);
    if (rows * 32 > 0x7fffffffL) throw std::invalid_argument("masked_softmax_scaled: too many rows for one launch");
    auto out = masked_softmax_kernel()(
        {sc, mx::astype(m, sc.dtype(), st), mx::array(scale)}, {sc.shape()}, {sc.dtype()},
        {int(rows * 32), 1, 1}, {kThreads, 1, 1}, {{"T", sc.dtype()}, {"PER", lanes_per_row(sc.shape(3))}},
        std::nullopt, false, st);
    put(res, out[0]);
  });
}

}  // extern "C"
