/*
 * A small C API over MLX's C++ API, in the conventions of mlx-c: opaque handles, an int status
 * (0 = success), results through the first pointer argument, explicit *_free functions, streams
 * passed explicitly. No C++ exception crosses this boundary: a failing call returns non-zero and
 * bb_last_error() gives the message, per OS thread.
 */
#ifndef BERTBATCH_MLX_SHIM_H
#define BERTBATCH_MLX_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bb_array_ {
  void* ctx;
} bb_array;

typedef struct bb_stream_ {
  void* ctx;
} bb_stream;

typedef enum { BB_CPU = 0, BB_GPU = 1 } bb_device_type;

/* Statuses: every call returns one. BB_ERR_WRONG_THREAD: a stream was used on an OS thread other
 * than the one that made it (bb_stream_new); nothing was done. */
enum { BB_OK = 0, BB_ERR = 1, BB_ERR_WRONG_THREAD = 2 };

typedef enum {
  BB_BOOL = 0,
  BB_UINT8,
  BB_UINT32,
  BB_INT32,
  BB_INT64,
  BB_FLOAT16,
  BB_FLOAT32,
  BB_BFLOAT16,
} bb_dtype;

/* Errors and runtime. */
const char* bb_last_error(void);
int bb_version(const char** res);
int bb_device_count(int* res, bb_device_type type);
int bb_stream_new(bb_stream* res, bb_device_type type);
int bb_stream_free(bb_stream s);
int bb_synchronize(bb_stream s);

/* BLAS threads: sets the thread count of the BLAS library MLX's CPU backend calls, when it is
 * one whose control function is known (OpenBLAS, MKL); res is 1 when it was set, 0 otherwise. */
int bb_set_blas_threads(int* res, int n);

/* Threads each CPU kernel of the shim (attention, softmax, GELU, LayerNorm) may use; n >= 1. */
int bb_set_kernel_threads(int n);

/* Memory. */
int bb_active_memory(size_t* res);
int bb_peak_memory(size_t* res);
int bb_reset_peak_memory(void);
int bb_cache_memory(size_t* res);
int bb_set_cache_limit(size_t* res, size_t limit);
int bb_clear_cache(void);

/* Arrays. */
int bb_array_free(bb_array a);
int bb_array_from_data(bb_array* res, const void* data, const int* shape, int ndim, bb_dtype dtype);
int bb_array_from_scalar(bb_array* res, double value, bb_dtype dtype);
int bb_array_ndim(int* res, bb_array a);
int bb_array_shape(int* res, bb_array a, int cap);
int bb_array_dtype(bb_dtype* res, bb_array a);
int bb_array_to_host(void* dst, size_t nbytes, bb_array a, bb_stream s);
int bb_eval(const bb_array* arrays, size_t n);
int bb_async_eval(const bb_array* arrays, size_t n);

/* Operations: every one builds a lazy node on stream s. */
int bb_add(bb_array* res, bb_array a, bb_array b, bb_stream s);
int bb_subtract(bb_array* res, bb_array a, bb_array b, bb_stream s);
int bb_multiply(bb_array* res, bb_array a, bb_array b, bb_stream s);
int bb_divide(bb_array* res, bb_array a, bb_array b, bb_stream s);
int bb_maximum(bb_array* res, bb_array a, bb_array b, bb_stream s);
int bb_greater(bb_array* res, bb_array a, bb_array b, bb_stream s);
int bb_where(bb_array* res, bb_array cond, bb_array x, bb_array y, bb_stream s);
int bb_erf(bb_array* res, bb_array a, bb_stream s);
int bb_tanh(bb_array* res, bb_array a, bb_stream s);
int bb_sigmoid(bb_array* res, bb_array a, bb_stream s);
int bb_sqrt(bb_array* res, bb_array a, bb_stream s);
int bb_astype(bb_array* res, bb_array a, bb_dtype dtype, bb_stream s);
int bb_reshape(bb_array* res, bb_array a, const int* shape, int ndim, bb_stream s);
int bb_transpose(bb_array* res, bb_array a, const int* axes, int naxes, bb_stream s);
int bb_expand_dims(bb_array* res, bb_array a, int axis, bb_stream s);
int bb_slice(bb_array* res, bb_array a, const int* start, const int* stop, int ndim, bb_stream s);
int bb_concatenate(bb_array* res, const bb_array* arrays, size_t n, int axis, bb_stream s);
int bb_take(bb_array* res, bb_array a, bb_array indices, int axis, bb_stream s);
int bb_matmul(bb_array* res, bb_array a, bb_array b, bb_stream s);
int bb_addmm(bb_array* res, bb_array c, bb_array a, bb_array b, bb_stream s);
int bb_sum(bb_array* res, bb_array a, int axis, bool keepdims, bb_stream s);
int bb_max(bb_array* res, bb_array a, int axis, bool keepdims, bb_stream s);
int bb_argmax(bb_array* res, bb_array a, int axis, bool keepdims, bb_stream s);
int bb_softmax(bb_array* res, bb_array a, int axis, bb_stream s);
int bb_layer_norm(bb_array* res, bb_array x, bb_array weight, bb_array bias, float eps, bb_stream s);
int bb_sdpa(bb_array* res, bb_array q, bb_array k, bb_array v, float scale, bb_array mask, bb_stream s);
int bb_gelu(bb_array* res, bb_array a, bb_stream s);
int bb_masked_softmax(bb_array* res, bb_array scores, bb_array keep, bb_stream s);
/* x·wᵀ + b for x [rows, in], w [out, in], b [out], then the exact-form GELU when gelu is true:
 * one primitive on CPU streams in float32, addmm (and erf) elsewhere. */
int bb_dense(bb_array* res, bb_array x, bb_array w, bb_array b, bool gelu, bb_stream s);
/* BERT self-attention from the fused projection qkv [B·L, 3H] and keep [B, L] (1 = attend) to
 * [B·L, H]: float32 on CPU streams only. bias (optional, ctx NULL = none) is a table [heads, 2R+1]
 * added to the scores by relative position clamp(j − i, −R, R); window > 0 lets query i attend
 * only keys j with |i − j| <= window (0 = no window). */
int bb_attention_qkv(bb_array* res, bb_array qkv, bb_array keep, int heads, float scale, bb_array bias, int window,
                     bb_stream s);
/* BERT self-attention over packed sequences: qkv [T, 3H] holds the tokens of every sequence end to
 * end, int32 offsets [B+1] where sequence b is rows offsets[b] to offsets[b+1]; result [T, H], rows
 * from offsets[B] on zero. longest is the longest sequence's length and tokens is offsets[B] (the
 * GPU kernel sizes its launch by them). CPU streams in float32, CUDA streams in float16/bfloat16 with a head
 * size that is a multiple of 16 up to 128 (bb_attention_varlen_supported says). bias and window as
 * for bb_attention_qkv. */
int bb_attention_varlen_supported(bool* res, bb_device_type device, bb_dtype dtype, int head_dim);
int bb_attention_varlen(bb_array* res, bb_array qkv, bb_array offsets, int heads, float scale, int longest, int tokens,
                        bb_array bias, int window, bb_stream s);
int bb_gelu_fused(bb_array* res, bb_array a, bb_stream s);
int bb_add_layer_norm(bb_array* res, bb_array x, bb_array residual, bb_array weight, bb_array bias, float eps,
                      bb_stream s);
int bb_masked_softmax_scaled(bb_array* res, bb_array scores, float scale, bb_array mask, bb_stream s);
int bb_quantize(bb_array* wq, bb_array* scales, bb_array* biases, bb_array w, int group_size, int bits, bb_stream s);
int bb_quantized_matmul(bb_array* res, bb_array x, bb_array wq, bb_array scales, bb_array biases, int group_size,
                        int bits, bb_stream s);

#ifdef __cplusplus
}
#endif

#endif
