// Attention over packed sequences on CUDA: one kernel from the fused QKV projection to the heads'
// outputs, with no padding, no transposed copies of q, k and v and no score matrix in memory.
//
// qkv is [T, 3H] (q, k, v side by side; head h is columns h·HD to (h+1)·HD of each), sequence b
// is rows offsets[b] to offsets[b+1]. A block of four warps takes 64 query rows of one sequence
// and one head; each warp keeps 16 rows' q in registers and walks the sequence's keys 64 at a
// time: scores by tensor-core mma (m16n8k16, float32 accumulation) against the key tile in shared
// memory, an online softmax in float32 (running maximum and sum per row), and the probabilities,
// rounded to the input dtype, times the value tile (read by ldmatrix .trans) by mma again. Rows past
// the last sequence (filler that keeps batch shapes fixed) are written as zeros by extra blocks.
//
// Two optional shapings of the scores, as on the CPU (bb_attention_varlen): a float32 bias table
// [heads, 2R+1] added by relative position clamp(key − query, −R, R) (meta[3] = R, 0 = none), and a
// sliding window (meta[2] = W, 0 = none) outside which keys are masked; with a window a block
// walks only the key tiles its rows can reach. A row whose keys in a tile are all masked keeps its
// running maximum at −∞, and the exponentials take 0 as their base then, so that no NaN appears.
#include <optional>
#include <stdexcept>

#include "mlx/backend/cuda/cuda.h"
#include "shim_internal.h"

namespace bb {
namespace {

constexpr const char* kAttentionVarlen = R"(
  constexpr int BQ = 64, BK = 64, KP = HD + 8;  // KP: padded row, so that fragment reads avoid bank conflicts
  __shared__ __align__(16) T ks[BK * KP];
  __shared__ __align__(16) T vs[BK * KP];
  constexpr int NH = H / HD;
  const int h = blockIdx.x % NH;  // blocks run head-major within each query tile
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane >> 2, tig = lane & 3;
  const int B = offsets_shape[0] - 1;
  const int tiles = meta[0], tokens = meta[1], window = meta[2], R = meta[3];
  const long rows = qkv_shape[0];
  const int bx = blockIdx.x / NH;
  if (bx >= B * tiles) {  // filler rows past the last sequence
    const long r0 = tokens + long(bx - B * tiles) * BQ;
    for (int i = threadIdx.x; i < BQ * HD; i += blockDim.x) {
      const long r = r0 + i / HD;
      if (r < rows) out[r * H + h * HD + i % HD] = T(0.f);
    }
    return;
  }
  const int b = bx / tiles, q0 = (bx % tiles) * BQ;
  // Offsets outside [0, rows] or decreasing are clamped: no read or write leaves the arrays.
  const int start = int(min(long(max(offsets[b], 0)), rows));
  const int n = int(min(max(long(offsets[b + 1]), long(start)), rows)) - start;
  if (q0 >= n) return;
  const T* base = qkv + long(start) * 3 * H + h * HD;
  const float* bh = bias + h * (2 * R + 1);  // read only when R > 0

  auto pack2 = [](float x, float y) -> uint32_t {
    uint32_t r;
    if constexpr (BF16 != 0) {
      __nv_bfloat162 v = __floats2bfloat162_rn(x, y);
      r = *reinterpret_cast<uint32_t*>(&v);
    } else {
      __half2 v = __floats2half2_rn(x, y);
      r = *reinterpret_cast<uint32_t*>(&v);
    }
    return r;
  };
  auto mma = [](float* c, const uint32_t* a, uint32_t b0, uint32_t b1) {
    if constexpr (BF16 != 0) {
      asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
                   : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                   : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    } else {
      asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
                   : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                   : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    }
  };
  auto word = [&](int row, int col) -> uint32_t {  // two q values of one row
    return row < n ? *reinterpret_cast<const uint32_t*>(base + long(row) * 3 * H + col) : 0u;
  };

  const int r0 = q0 + warp * 16 + g, r1 = r0 + 8;
  uint32_t qa[HD / 16][4];
#pragma unroll
  for (int kk = 0; kk < HD / 16; kk++) {
    qa[kk][0] = word(r0, kk * 16 + tig * 2);
    qa[kk][1] = word(r1, kk * 16 + tig * 2);
    qa[kk][2] = word(r0, kk * 16 + 8 + tig * 2);
    qa[kk][3] = word(r1, kk * 16 + 8 + tig * 2);
  }
  const float neg_inf = -cuda::std::numeric_limits<float>::infinity();
  float o[HD / 8][4];
#pragma unroll
  for (int nt = 0; nt < HD / 8; nt++) o[nt][0] = o[nt][1] = o[nt][2] = o[nt][3] = 0.f;
  float m0 = neg_inf, m1 = neg_inf, l0 = 0.f, l1 = 0.f;
  const float sc = scale[0];

  int kbeg = 0, kend = n;
  if (window > 0) {  // the keys this block's rows q0 .. q0+BQ-1 can reach
    kbeg = max(0, q0 - window) / BK * BK;
    kend = min(n, q0 + BQ + window);
  }
  for (int k0 = kbeg; k0 < kend; k0 += BK) {
    __syncthreads();
    for (int i = threadIdx.x; i < BK * HD / 8; i += blockDim.x) {
      const int key = i / (HD / 8), c = (i % (HD / 8)) * 8;
      uint4 kv = make_uint4(0, 0, 0, 0), vv = make_uint4(0, 0, 0, 0);
      if (k0 + key < n) {
        const T* src = base + long(k0 + key) * 3 * H + c;
        kv = *reinterpret_cast<const uint4*>(src + H);
        vv = *reinterpret_cast<const uint4*>(src + 2 * H);
      }
      *reinterpret_cast<uint4*>(ks + key * KP + c) = kv;
      *reinterpret_cast<uint4*>(vs + key * KP + c) = vv;
    }
    __syncthreads();

    float s[BK / 8][4];
#pragma unroll
    for (int nt = 0; nt < BK / 8; nt++) s[nt][0] = s[nt][1] = s[nt][2] = s[nt][3] = 0.f;
#pragma unroll
    for (int kk = 0; kk < HD / 16; kk++) {
#pragma unroll
      for (int nt = 0; nt < BK / 8; nt++) {
        const T* kr = ks + (nt * 8 + g) * KP + kk * 16 + tig * 2;
        mma(s[nt], qa[kk], *reinterpret_cast<const uint32_t*>(kr), *reinterpret_cast<const uint32_t*>(kr + 8));
      }
    }
    float mx0 = m0, mx1 = m1;
#pragma unroll
    for (int nt = 0; nt < BK / 8; nt++) {
#pragma unroll
      for (int e = 0; e < 2; e++) {
        const int key = k0 + nt * 8 + tig * 2 + e;
        float a = s[nt][e] * sc, c = s[nt][2 + e] * sc;
        if (R > 0) {
          a += bh[min(max(key - r0, -R), R) + R];
          c += bh[min(max(key - r1, -R), R) + R];
        }
        const bool in = key < n;
        s[nt][e] = in && (window == 0 || abs(key - r0) <= window) ? a : neg_inf;
        s[nt][2 + e] = in && (window == 0 || abs(key - r1) <= window) ? c : neg_inf;
        mx0 = fmaxf(mx0, s[nt][e]);
        mx1 = fmaxf(mx1, s[nt][2 + e]);
      }
    }
    mx0 = fmaxf(mx0, __shfl_xor_sync(0xffffffffu, mx0, 1));
    mx0 = fmaxf(mx0, __shfl_xor_sync(0xffffffffu, mx0, 2));
    mx1 = fmaxf(mx1, __shfl_xor_sync(0xffffffffu, mx1, 1));
    mx1 = fmaxf(mx1, __shfl_xor_sync(0xffffffffu, mx1, 2));
    // The base of the exponentials: the running maximum, or 0 while every key so far is masked.
    const float e0 = mx0 == neg_inf ? 0.f : mx0, e1 = mx1 == neg_inf ? 0.f : mx1;
    const float c0 = __expf(m0 - e0), c1 = __expf(m1 - e1);
    m0 = mx0;
    m1 = mx1;
    l0 *= c0;
    l1 *= c1;
#pragma unroll
    for (int nt = 0; nt < HD / 8; nt++) {
      o[nt][0] *= c0;
      o[nt][1] *= c0;
      o[nt][2] *= c1;
      o[nt][3] *= c1;
    }
#pragma unroll
    for (int nt = 0; nt < BK / 8; nt++) {
      s[nt][0] = __expf(s[nt][0] - e0);
      s[nt][1] = __expf(s[nt][1] - e0);
      s[nt][2] = __expf(s[nt][2] - e1);
      s[nt][3] = __expf(s[nt][3] - e1);
      l0 += s[nt][0] + s[nt][1];
      l1 += s[nt][2] + s[nt][3];
    }
#pragma unroll
    for (int kk = 0; kk < BK / 16; kk++) {
      const uint32_t pa[4] = {pack2(s[2 * kk][0], s[2 * kk][1]), pack2(s[2 * kk][2], s[2 * kk][3]),
                              pack2(s[2 * kk + 1][0], s[2 * kk + 1][1]), pack2(s[2 * kk + 1][2], s[2 * kk + 1][3])};
#pragma unroll
      for (int nt = 0; nt < HD / 8; nt++) {
        // v is [key][dim] in shared memory; ldmatrix .trans hands each lane the (key pair, dim)
        // elements of the B fragment. Lanes 0-15 give the addresses of keys kk·16 + 0..15.
        const T* vr = vs + (kk * 16 + (lane & 15)) * KP + nt * 8;
        uint32_t b0, b1;
        asm volatile("ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16 {%0, %1}, [%2];"
                     : "=r"(b0), "=r"(b1)
                     : "r"(static_cast<uint32_t>(__cvta_generic_to_shared(vr))));
        mma(o[nt], pa, b0, b1);
      }
    }
  }
  l0 += __shfl_xor_sync(0xffffffffu, l0, 1);
  l0 += __shfl_xor_sync(0xffffffffu, l0, 2);
  l1 += __shfl_xor_sync(0xffffffffu, l1, 1);
  l1 += __shfl_xor_sync(0xffffffffu, l1, 2);
  const float inv0 = 1.f / l0, inv1 = 1.f / l1;
#pragma unroll
  for (int nt = 0; nt < HD / 8; nt++) {
    const int col = h * HD + nt * 8 + tig * 2;
    if (r0 < n) *reinterpret_cast<uint32_t*>(out + long(start + r0) * H + col) = pack2(o[nt][0] * inv0, o[nt][1] * inv0);
    if (r1 < n) *reinterpret_cast<uint32_t*>(out + long(start + r1) * H + col) = pack2(o[nt][2] * inv1, o[nt][3] * inv1);
  }
)";

const mx::fast::CustomKernelFunction& attention_kernel() {
  static const auto k =
      mx::fast::cuda_kernel("bb_attention_varlen", {"qkv", "offsets", "meta", "scale", "bias"}, {"out"}, kAttentionVarlen);
  return k;
}

constexpr int kQueryRows = 64;  // BQ: query rows per block
constexpr int kThreads = 128;   // four warps of 16 query rows

}  // namespace

bool cuda_attention_varlen_supported(const mx::Device& d, mx::Dtype dtype, int head_dim) {
  return d == mx::Device::gpu && mx::cu::is_available() && (dtype == mx::float16 || dtype == mx::bfloat16) &&
         head_dim % 16 == 0 && head_dim >= 16 && head_dim <= 128;
}

mx::array cuda_attention_varlen(const mx::array& qkv, const mx::array& offsets, int heads, float scale, int longest,
                                int tokens, const std::optional<mx::array>& bias, int window, const mx::Stream& s) {
  const int H = qkv.shape(1) / 3, HD = H / heads;
  if (!cuda_attention_varlen_supported(s.device, qkv.dtype(), HD)) {
    throw std::invalid_argument("attention_varlen on a GPU needs CUDA, float16 or bfloat16 and a head size of 16 to 128 in steps of 16");
  }
  const long rows = qkv.shape(0);
  if (tokens < 0 || tokens > rows || longest < 1) throw std::invalid_argument("attention_varlen: bad token counts");
  const int B = offsets.shape(0) - 1;
  const int tiles = (longest + kQueryRows - 1) / kQueryRows;
  const long tail = (rows - tokens + kQueryRows - 1) / kQueryRows;
  const long blocks = long(B) * tiles + tail;
  if (blocks * heads * kThreads > 0x7fffffffL) throw std::invalid_argument("attention_varlen: too many rows for one launch");
  int reach = 0;  // R of the bias table
  mx::array table = mx::zeros({1, 1}, mx::float32, s);
  if (bias) {
    if (bias->ndim() != 2 || bias->shape(0) != heads || bias->shape(1) % 2 != 1) {
      throw std::invalid_argument("attention_varlen: bias wants a table [heads, 2R+1]");
    }
    reach = (bias->shape(1) - 1) / 2;
    table = mx::contiguous(mx::astype(*bias, mx::float32, s), false, s);
  }
  if (window < 0) throw std::invalid_argument("attention_varlen: window must be 0 (none) or positive");
  auto out = attention_kernel()(
      {mx::contiguous(qkv, false, s), offsets, mx::array({tiles, tokens, window, reach}, {4}, mx::int32), mx::array(scale), table},
      {{int(rows), H}}, {qkv.dtype()}, {int(blocks * heads * kThreads), 1, 1}, {kThreads, 1, 1},
      {{"T", qkv.dtype()}, {"HD", HD}, {"H", H}, {"BF16", qkv.dtype() == mx::bfloat16 ? 1 : 0}}, std::nullopt, false, s);
  return out[0];
}

}  // namespace bb
