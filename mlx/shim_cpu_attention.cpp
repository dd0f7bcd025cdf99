// BERT self-attention on the CPU as one MLX primitive, straight from the fused QKV projection.
//
// Input qkv is [B·L, 3H] (q, k and v side by side, heads of HD = H/NH columns each) and keep is
// [B, L] (1 = attend). For each row b and head h the kernel reads q, k and v in place through
// BLAS leading dimensions (no transposed copies), computes S = scale·q·kᵀ, the softmax of each
// row of S and S·v, and writes the result into its head's columns of out [B·L, H]. When a row's
// mask is a prefix (its first n keys kept, the rest padding, as tokenizers produce), only those
// n keys are computed; other masks are applied key by key. Work is split over (row, head) pairs.
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

struct Shape {
  int B, L, NH, HD;
  int H() const { return NH * HD; }
};

// attend_head computes one (row, head) pair; s is scratch of at least L·L floats.
void attend_head(const float* qkv, const float* keep, float* out, const Shape& d, int prefix, float scale, float* s) {
  const int H = d.H(), ld = 3 * H, L = d.L;
  const float *q = qkv, *k = qkv + H, *v = qkv + 2 * H;
  const int keys = prefix >= 0 ? prefix : L;
  if (keys == 0) {  // nothing to attend to: zeros, as the masked softmax gives
    for (int i = 0; i < L; i++) std::fill(out + size_t(i) * H, out + size_t(i) * H + d.HD, 0.f);
    return;
  }
  cblas_sgemm()(kCblasRowMajor, kCblasNoTrans, kCblasTrans, L, keys, d.HD, scale, q, ld, k, ld, 0.f, s, keys);
  for (int i = 0; i < L; i++) {
    float* row = s + size_t(i) * keys;
    if (prefix >= 0) {
      softmax_row(row, keys);
    } else {
      masked_softmax_row(row, keep, row, keys);
    }
  }
  cblas_sgemm()(kCblasRowMajor, kCblasNoTrans, kCblasNoTrans, L, d.HD, keys, 1.f, s, keys, v, ld, 0.f, out, H);
}

class BertAttention : public mx::UnaryPrimitive {
 public:
  BertAttention(mx::Stream s, int heads, float scale) : UnaryPrimitive(s), heads_(heads), scale_(scale) {}

  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    const mx::array& qkv = inputs[0];
    const mx::array& keep = inputs[1];
    out.set_data(mx::allocator::malloc(out.nbytes()));
    auto& enc = mx::cpu::get_command_encoder(stream());
    enc.set_input_array(qkv);
    enc.set_input_array(keep);
    enc.set_output_array(out);
    const Shape d{keep.shape(0), keep.shape(1), heads_, int(qkv.shape(1)) / 3 / heads_};
    enc.dispatch([qkv = mx::array::unsafe_weak_copy(qkv), keep = mx::array::unsafe_weak_copy(keep),
                  out = mx::array::unsafe_weak_copy(out), d, scale = scale_]() mutable {
      const float* in = qkv.data<float>();
      const float* kp = keep.data<float>();
      float* o = out.data<float>();
      std::vector<int> prefix(d.B);
      for (int b = 0; b < d.B; b++) prefix[b] = prefix_length(kp + size_t(b) * d.L, d.L);
      parallel(size_t(d.B) * d.NH, 1, [&](size_t lo, size_t hi) {
        thread_local std::vector<float> scratch;
        scratch.resize(size_t(d.L) * d.L);
        for (size_t p = lo; p < hi; p++) {
          const int b = int(p / d.NH), h = int(p % d.NH);
          const size_t row0 = size_t(b) * d.L;
          attend_head(in + row0 * 3 * d.H() + size_t(h) * d.HD, kp + row0, o + row0 * d.H() + size_t(h) * d.HD, d,
                      prefix[b], scale, scratch.data());
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
    return heads_ == o.heads_ && scale_ == o.scale_;
  }

 private:
  int heads_;
  float scale_;
};

}  // namespace
}  // namespace bb

using namespace bb;

extern "C" {

int bb_attention_qkv(bb_array* res, bb_array qkv, bb_array keep, int heads, float scale, bb_stream s) {
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
    auto x_c = mx::contiguous(x, false, st);
    auto k_c = mx::contiguous(mx::astype(k, mx::float32, st), false, st);
    const int H = x.shape(1) / 3;
    put(res, mx::array({x.shape(0), H}, mx::float32, std::make_shared<BertAttention>(st, heads, scale), {x_c, k_c}));
  });
}

}  // extern "C"
