// CPU kernels for the two element-wise steps of a BERT layer that MLX's CPU backend computes
// slowly (transcendentals evaluated one element at a time): exact-form GELU and the masked
// softmax of attention. They are MLX primitives, so they join the lazy graph and run on the
// stream's own thread like any other CPU operation. On other devices the shim composes the same
// result from standard MLX operations.
#include "mlx/backend/cpu/encoder.h"
#include "mlx/primitives.h"
#include "shim_cpu_simd.h"
#include "shim_internal.h"

namespace bb {
namespace {

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
      parallel(B * rowsPerBatch, 64, [&](size_t lo, size_t hi) {
        for (size_t r = lo; r < hi; r++) masked_softmax_row(in + r * L, k + (r / rowsPerBatch) * L, o + r * L, L);
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
