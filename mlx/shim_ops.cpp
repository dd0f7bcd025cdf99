// Array operations. Each builds a lazy graph node on the given stream.
#include "shim_internal.h"

using namespace bb;

namespace {

mx::Shape shape_of(const int* dims, int n) { return mx::Shape(dims, dims + n); }

}  // namespace

extern "C" {

#define BB_BINARY(name, op)                                                      \
  int name(bb_array* res, bb_array a, bb_array b, bb_stream s) {                \
    return guard([&] { put(res, mx::op(arr(a), arr(b), stream(s))); });         \
  }
BB_BINARY(bb_add, add)
BB_BINARY(bb_subtract, subtract)
BB_BINARY(bb_multiply, multiply)
BB_BINARY(bb_divide, divide)
BB_BINARY(bb_maximum, maximum)
BB_BINARY(bb_greater, greater)
BB_BINARY(bb_matmul, matmul)
#undef BB_BINARY

#define BB_UNARY(name, op)                                            \
  int name(bb_array* res, bb_array a, bb_stream s) {                 \
    return guard([&] { put(res, mx::op(arr(a), stream(s))); });       \
  }
BB_UNARY(bb_erf, erf)
BB_UNARY(bb_tanh, tanh)
BB_UNARY(bb_sigmoid, sigmoid)
BB_UNARY(bb_sqrt, sqrt)
#undef BB_UNARY

int bb_where(bb_array* res, bb_array cond, bb_array x, bb_array y, bb_stream s) {
  return guard([&] { put(res, mx::where(arr(cond), arr(x), arr(y), stream(s))); });
}

int bb_astype(bb_array* res, bb_array a, bb_dtype dtype, bb_stream s) {
  return guard([&] { put(res, mx::astype(arr(a), to_dtype(dtype), stream(s))); });
}

int bb_reshape(bb_array* res, bb_array a, const int* shape, int ndim, bb_stream s) {
  return guard([&] { put(res, mx::reshape(arr(a), shape_of(shape, ndim), stream(s))); });
}

int bb_transpose(bb_array* res, bb_array a, const int* axes, int naxes, bb_stream s) {
  return guard([&] { put(res, mx::transpose(arr(a), std::vector<int>(axes, axes + naxes), stream(s))); });
}

int bb_expand_dims(bb_array* res, bb_array a, int axis, bb_stream s) {
  return guard([&] { put(res, mx::expand_dims(arr(a), axis, stream(s))); });
}

int bb_slice(bb_array* res, bb_array a, const int* start, const int* stop, int ndim, bb_stream s) {
  return guard([&] { put(res, mx::slice(arr(a), shape_of(start, ndim), shape_of(stop, ndim), stream(s))); });
}

int bb_concatenate(bb_array* res, const bb_array* arrays, size_t n, int axis, bb_stream s) {
  return guard([&] {
    std::vector<mx::array> v;
    for (size_t i = 0; i < n; i++) v.push_back(arr(arrays[i]));
    put(res, mx::concatenate(std::move(v), axis, stream(s)));
  });
}

int bb_take(bb_array* res, bb_array a, bb_array indices, int axis, bb_stream s) {
  return guard([&] { put(res, mx::take(arr(a), arr(indices), axis, stream(s))); });
}

int bb_addmm(bb_array* res, bb_array c, bb_array a, bb_array b, bb_stream s) {
  return guard([&] { put(res, mx::addmm(arr(c), arr(a), arr(b), 1.f, 1.f, stream(s))); });
}

int bb_sum(bb_array* res, bb_array a, int axis, bool keepdims, bb_stream s) {
  return guard([&] { put(res, mx::sum(arr(a), axis, keepdims, stream(s))); });
}

int bb_max(bb_array* res, bb_array a, int axis, bool keepdims, bb_stream s) {
  return guard([&] { put(res, mx::max(arr(a), axis, keepdims, stream(s))); });
}

int bb_argmax(bb_array* res, bb_array a, int axis, bool keepdims, bb_stream s) {
  return guard([&] { put(res, mx::argmax(arr(a), axis, keepdims, stream(s))); });
}

int bb_softmax(bb_array* res, bb_array a, int axis, bb_stream s) {
  return guard([&] { put(res, mx::softmax(arr(a), std::vector<int>{axis}, /*precise=*/true, stream(s))); });
}

int bb_layer_norm(bb_array* res, bb_array x, bb_array weight, bb_array bias, float eps, bb_stream s) {
  return guard([&] {
    const mx::Stream& st = stream(s);
    if (cpu_layer_norm_applies(st, arr(x), arr(weight), arr(bias))) {
      put(res, cpu_layer_norm(arr(x), nullptr, arr(weight), arr(bias), eps, st));
      return;
    }
    put(res, mx::fast::layer_norm(arr(x), arr(weight), arr(bias), eps, st));
  });
}

int bb_sdpa(bb_array* res, bb_array q, bb_array k, bb_array v, float scale, bb_array mask, bb_stream s) {
  return guard([&] {
    std::optional<mx::array> m;
    std::string mode;
    if (mask.ctx != nullptr) {
      m = arr(mask);
      mode = "array";
    }
    put(res, mx::fast::scaled_dot_product_attention(arr(q), arr(k), arr(v), scale, mode, m, std::nullopt, false,
                                                    stream(s)));
  });
}

int bb_quantize(bb_array* wq, bb_array* scales, bb_array* biases, bb_array w, int group_size, int bits,
                bb_stream s) {
  return guard([&] {
    auto out = mx::quantize(arr(w), group_size, bits, "affine", std::nullopt, stream(s));
    if (out.size() != 3) throw std::runtime_error("affine quantize returned " + std::to_string(out.size()) + " arrays");
    put(wq, out[0]);
    put(scales, out[1]);
    put(biases, out[2]);
  });
}

int bb_quantized_matmul(bb_array* res, bb_array x, bb_array wq, bb_array scales, bb_array biases, int group_size,
                        int bits, bb_stream s) {
  return guard([&] {
    put(res, mx::quantized_matmul(arr(x), arr(wq), arr(scales), arr(biases), true, group_size, bits, "affine",
                                  stream(s)));
  });
}

}  // extern "C"
