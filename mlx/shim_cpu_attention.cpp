// BERT self-attention on the CPU as one MLX primitive, straight from the fused QKV projection.
//
// Input qkv holds q, k and v side by side, heads of HD = H/NH columns each, in one of two layouts:
//   padded  qkv [B·L, 3H] with keep [B, L] (1 = attend). When a row's mask is a prefix (its first
//           n keys kept, the rest padding, as tokenizers produce), only those n keys are computed;
//           other masks are applied key by key.
//   packed  qkv [T, 3H] with offsets [B+1] (int32): sequence b is rows offsets[b] to
//           offsets[b+1], with no padding at all; rows from offsets[B] on are zeros in the output.
// For each sequence b and head h the kernel reads q, k and v in place through BLAS leading
// dimensions (no transposed copies), computes S = scale·q·kᵀ, the softmax of each row of S and
// S·v, and writes the result into its head's columns of out [rows, H]. Work is split over
// (sequence, head) pairs.
//
// Two optional shapings of S, shared by both layouts (positions i, j count from the sequence's
// first row):
//   bias    a table [heads, 2R+1] float32 added to the scores by relative position:
//           S[i, j] += bias[h, clamp(j − i, −R, R) + R] (MPNet's relative position buckets).
//   window  when > 0, query i attends only keys j with |i − j| ≤ window (ModernBERT's local layers).
#include <algorithm>
#include <stdexcept>

#include "mlx/backend/cpu/encoder.h"
#include "mlx/primitives.h"
#include "shim_cpu_simd.h"
#include "shim_internal.h"

namespace bb {
namespace {

// prefix_length returns n when keep[0, L) is n ones followed by zeros, and -1 otherwise.
int prefix_length(const float* keep, int L) {
  int n = 0;
  while (n < L && keep[n] != 0.f) n++;
  for (int j = n; j < L; j++) {
    if (keep[j] != 0.f) return -1;
  }
  return n;
}

// Span is one sequence of a batch: its first row, its query rows and its keys (-1: the keys are
// all rows, masked one by one with keep).
struct Span {
  size_t row0;
  int queries, keys;
  const float* keep;
};

// Shaping is the optional bias table of one head (nullptr: none; R its reach) and window (0: none).
struct Shaping {
  const float* bias;
  int R;
  int window;
};

// shape_row applies sh to query i's scores row[0, keys) and returns the window [lo, hi) of keys
// it may attend.
void shape_row(float* row, int i, int keys, const Shaping& sh, int* lo, int* hi) {
  *lo = 0;
  *hi = keys;
  if (sh.window > 0) {
    *lo = std::max(0, i - sh.window);
    *hi = std::min(keys, i + sh.window + 1);
  }
  if (sh.bias != nullptr) {
    for (int j = *lo; j < *hi; j++) row[j] += sh.bias[std::clamp(j - i, -sh.R, sh.R) + sh.R];
  }
}

// attend_head computes one (sequence, head) pair; s is scratch of at least queries·max(keys, 1)
// floats. qkv and out point at the sequence's first row, head h's columns.
void attend_head(const float* qkv, float* out, int H, int HD, const Span& sp, float scale, const Shaping& sh,
                 float* s) {
  const int ld = 3 * H, L = sp.queries;
  const float *q = qkv, *k = qkv + H, *v = qkv + 2 * H;
  const int keys = sp.keys >= 0 ? sp.keys : L;
  if (keys == 0) {  // nothing to attend to: zeros, as the masked softmax gives
    for (int i = 0; i < L; i++) std::fill(out + size_t(i) * H, out + size_t(i) * H + HD, 0.f);
    return;
  }
  cblas_sgemm()(kCblasRowMajor, kCblasNoTrans, kCblasTrans, L, keys, HD, scale, q, ld, k, ld, 0.f, s, keys);
  for (int i = 0; i < L; i++) {
    float* row = s + size_t(i) * keys;
    int lo, hi;
    shape_row(row, i, keys, sh, &lo, &hi);
    if (lo >= hi) {  // no key in the window: zeros, as the masked softmax gives
      std::fill(row, row + keys, 0.f);
      continue;
    }
    std::fill(row, row + lo, 0.f);
    std::fill(row + hi, row + keys, 0.f);
    if (sp.keys >= 0) {
      softmax_row(row + lo, hi - lo);
    } else {
      masked_softmax_row(row + lo, sp.keep + lo, row + lo, hi - lo);
    }
  }
  cblas_sgemm()(kCblasRowMajor, kCblasNoTrans, kCblasNoTrans, L, HD, keys, 1.f, s, keys, v, ld, 0.f, out, H);
}

// spans lists a batch's sequences from keep [B, L] (padded) or offsets [B+1] (packed).
std::vector<Span> spans(const mx::array& second, size_t rows) {
  std::vector<Span> out;
  if (second.dtype() == mx::int32) {
    // Offsets outside [0, rows] or decreasing are clamped: no read or write leaves the arrays.
    const int32_t* off = second.data<int32_t>();
    for (int b = 0; b + 1 < second.shape(0); b++) {
      const size_t start = std::min(size_t(std::max(off[b], 0)), rows);
      const size_t end = std::min(std::max(size_t(std::max(off[b + 1], 0)), start), rows);
      out.push_back({start, int(end - start), int(end - start), nullptr});
    }
    return out;
  }
  const int B = second.shape(0), L = second.shape(1);
  const float* kp = second.data<float>();
  for (int b = 0; b < B; b++) {
    const float* keep = kp + size_t(b) * L;
    out.push_back({size_t(b) * L, L, prefix_length(keep, L), keep});
  }
  return out;
}

class BertAttention : public mx::UnaryPrimitive {
 public:
  // inputs: qkv, keep or offsets, and the bias table when there is one.
  BertAttention(mx::Stream s, int heads, float scale, int window)
      : UnaryPrimitive(s), heads_(heads), scale_(scale), window_(window) {}

  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    const mx::array& qkv = inputs[0];
    const mx::array& second = inputs[1];  // keep [B, L] float32 or offsets [B+1] int32
    const bool has_bias = inputs.size() > 2;
    const mx::array& bias = has_bias ? inputs[2] : inputs[0];
    out.set_data(mx::allocator::malloc(out.nbytes()));
    auto& enc = mx::cpu::get_command_encoder(stream());
    enc.set_input_array(qkv);
    enc.set_input_array(second);
    if (has_bias) enc.set_input_array(bias);
    enc.set_output_array(out);
    const int H = int(qkv.shape(1)) / 3, HD = H / heads_;
    enc.dispatch([qkv = mx::array::unsafe_weak_copy(qkv), second = mx::array::unsafe_weak_copy(second),
                  bias = mx::array::unsafe_weak_copy(bias), has_bias, out = mx::array::unsafe_weak_copy(out), H, HD,
                  heads = heads_, scale = scale_, window = window_]() mutable {
      const int width = has_bias ? int(bias.shape(1)) : 1;
      const float* table = has_bias ? bias.data<float>() : nullptr;
      const float* in = qkv.data<float>();
      float* o = out.data<float>();
      const size_t rows = qkv.shape(0);
      const std::vector<Span> sp = spans(second, rows);
      size_t covered = 0, longest = 1;
      for (const Span& s : sp) {
        covered = std::max(covered, s.row0 + size_t(s.queries));
        longest = std::max(longest, size_t(s.queries));
      }
      std::fill(o + covered * H, o + rows * H, 0.f);  // packed rows past the last sequence
      parallel(sp.size() * heads, 1, [&](size_t lo, size_t hi) {
        thread_local std::vector<float> scratch;
        scratch.resize(longest * longest);
        for (size_t p = lo; p < hi; p++) {
          const Span& s = sp[p / heads];
          const size_t h = p % heads, col = h * HD;
          const Shaping sh{table != nullptr ? table + h * width : nullptr, (width - 1) / 2, window};
          attend_head(in + s.row0 * 3 * H + col, o + s.row0 * H + col, H, HD, s, scale, sh, scratch.data());
        }
      });
    });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("BertAttention runs on CPU streams only");
  }
  const char* name() const override { return "BertAttention"; }
  bool is_equivalent(const mx::Primitive& other) const override {
    const auto& o = static_cast<const BertAttention&>(other);
    return heads_ == o.heads_ && scale_ == o.scale_ && window_ == o.window_;
  }

 private:
  int heads_;
  float scale_;
  int window_;
};

// shaping_inputs checks the optional bias table and window and appends the table to inputs.
void shaping_inputs(std::vector<mx::array>& inputs, bb_array bias, int heads, int window, const mx::Stream& st) {
  if (window < 0) throw std::invalid_argument("attention window must be 0 (none) or positive");
  if (bias.ctx == nullptr) return;
  const mx::array& b = arr(bias);
  if (b.ndim() != 2 || b.shape(0) != heads || b.shape(1) % 2 != 1) {
    throw std::invalid_argument("attention bias wants a table [heads, 2R+1]");
  }
  inputs.push_back(mx::contiguous(mx::astype(b, mx::float32, st), false, st));
}

}  // namespace
}  // namespace bb

using namespace bb;

extern "C" {

int bb_attention_qkv(bb_array* res, bb_array qkv, bb_array keep, int heads, float scale, bb_array bias, int window,
                     bb_stream s) {
  return guard([&] {
    const mx::Stream& st = stream(s);
    const mx::array& x = arr(qkv);
    const mx::array& k = arr(keep);
    if (st.device != mx::Device::cpu || x.dtype() != mx::float32) {
      throw std::invalid_argument("attention_qkv runs float32 on CPU streams");
    }
    if (x.ndim() != 2 || k.ndim() != 2 || heads < 1 || x.shape(1) % (3 * heads) != 0 ||
        size_t(x.shape(0)) != size_t(k.shape(0)) * size_t(k.shape(1))) {
      throw std::invalid_argument("attention_qkv wants qkv [B·L, 3·heads·headDim] and keep [B, L]");
    }
    std::vector<mx::array> in{mx::contiguous(x, false, st), mx::contiguous(mx::astype(k, mx::float32, st), false, st)};
    shaping_inputs(in, bias, heads, window, st);
    const int H = x.shape(1) / 3;
    put(res, mx::array({x.shape(0), H}, mx::float32, std::make_shared<BertAttention>(st, heads, scale, window), in));
  });
}

int bb_attention_varlen_supported(bool* res, bb_device_type device, bb_dtype dtype, int head_dim) {
  return guard([&] {
    *res = device == BB_CPU ? to_dtype(dtype) == mx::float32 : cuda_attention_varlen_supported(mx::Device::gpu, to_dtype(dtype), head_dim);
  });
}

int bb_attention_varlen(bb_array* res, bb_array qkv, bb_array offsets, int heads, float scale, int longest, int tokens,
                        bb_array bias, int window, bb_stream s) {
  return guard([&] {
    const mx::Stream& st = stream(s);
    const mx::array& x = arr(qkv);
    const mx::array& off = arr(offsets);
    if (x.ndim() != 2 || off.ndim() != 1 || off.shape(0) < 2 || off.dtype() != mx::int32 || heads < 1 ||
        x.shape(1) % (3 * heads) != 0) {
      throw std::invalid_argument("attention_varlen wants qkv [tokens, 3·heads·headDim] and int32 offsets [sequences+1]");
    }
    const int H = x.shape(1) / 3;
    if (st.device != mx::Device::cpu) {
      std::optional<mx::array> table;
      if (bias.ctx != nullptr) table = arr(bias);
      put(res, cuda_attention_varlen(x, off, heads, scale, longest, tokens, table, window, st));
      return;
    }
    if (x.dtype() != mx::float32) throw std::invalid_argument("attention_varlen on the CPU runs float32");
    std::vector<mx::array> in{mx::contiguous(x, false, st), mx::contiguous(off, false, st)};
    shaping_inputs(in, bias, heads, window, st);
    put(res, mx::array({x.shape(0), H}, mx::float32, std::make_shared<BertAttention>(st, heads, scale, window), in));
  });
}

}  // extern "C"
