// A dense layer on the CPU as one MLX primitive: y = x·Wᵀ + b, optionally followed by the
// exact-form GELU in place. The bias rows are copied into the output and one cblas_sgemm adds the
// product to them. MLX's addmm fills its output from the broadcast bias with a general strided
// copy that cost as much as a tenth of a layer; a separate GELU costs a second buffer and pass.
#include <stdexcept>

#include "mlx/backend/cpu/encoder.h"
#include "mlx/primitives.h"
#include "shim_cpu_simd.h"
#include "shim_internal.h"

namespace bb {
namespace {

class Dense : public mx::UnaryPrimitive {
 public:
  Dense(mx::Stream s, bool gelu) : UnaryPrimitive(s), gelu_(gelu) {}

  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    const mx::array& x = inputs[0];
    const mx::array& w = inputs[1];
    const mx::array& b = inputs[2];
    out.set_data(mx::allocator::malloc(out.nbytes()));
    auto& enc = mx::cpu::get_command_encoder(stream());
    enc.set_input_array(x);
    enc.set_input_array(w);
    enc.set_input_array(b);
    enc.set_output_array(out);
    enc.dispatch([x = mx::array::unsafe_weak_copy(x), w = mx::array::unsafe_weak_copy(w), b = mx::array::unsafe_weak_copy(b),
                  out = mx::array::unsafe_weak_copy(out), gelu = gelu_]() mutable {
      const int M = x.shape(0), K = x.shape(1), N = w.shape(0);
      float* y = out.data<float>();
      const float* bias = b.data<float>();
      parallel(size_t(M), 512, [&](size_t lo, size_t hi) {
        for (size_t i = lo; i < hi; i++) std::memcpy(y + i * N, bias, sizeof(float) * N);
      });
      cblas_sgemm()(kCblasRowMajor, kCblasNoTrans, kCblasTrans, M, N, K, 1.f, x.data<float>(), K, w.data<float>(), K, 1.f, y, N);
      if (gelu) {
        const size_t n = size_t(M) * N;
        parallel(n, 1 << 16, [&](size_t lo, size_t hi) { gelu_span(y + lo, y + lo, hi - lo); });
      }
    });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("Dense runs on CPU streams only");
  }
  const char* name() const override { return "Dense"; }
  bool is_equivalent(const mx::Primitive& other) const override { return gelu_ == static_cast<const Dense&>(other).gelu_; }

 private:
  bool gelu_;
};

}  // namespace
}  // namespace bb

using namespace bb;

extern "C" {

int bb_dense(bb_array* res, bb_array x, bb_array w, bb_array b, bool gelu, bb_stream s) {
  return guard([&] {
    const mx::Stream& st = stream(s);
    const mx::array &xa = arr(x), &wa = arr(w), &ba = arr(b);
    if (xa.ndim() != 2 || wa.ndim() != 2 || ba.ndim() != 1 || wa.shape(1) != xa.shape(1) || ba.shape(0) != wa.shape(0)) {
      throw std::invalid_argument("dense wants x [rows, in], weight [out, in] and bias [out]");
    }
    const bool cpu = st.device == mx::Device::cpu && xa.dtype() == mx::float32 && wa.dtype() == mx::float32 &&
                     ba.dtype() == mx::float32;
    if (!cpu) {
      auto y = mx::addmm(ba, xa, mx::transpose(wa, {1, 0}, st), 1.f, 1.f, st);
      put(res, gelu ? fused_gelu(y, st) : y);
      return;
    }
    std::vector<mx::array> in{mx::contiguous(xa, false, st), mx::contiguous(wa, false, st), mx::contiguous(ba, false, st)};
    put(res, mx::array({xa.shape(0), wa.shape(0)}, mx::float32, std::make_shared<Dense>(st, gelu), std::move(in)));
  });
}

}  // extern "C"
