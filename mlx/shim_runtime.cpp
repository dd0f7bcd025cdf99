// Errors, devices, streams, memory and array handles.
#include <dlfcn.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "shim_internal.h"

namespace bb {

thread_local std::string last_error;

void set_error(const char* msg) { last_error = msg; }

static long os_thread_id() { return long(syscall(SYS_gettid)); }

void throw_wrong_thread(const StreamHandle& h) {
  throw wrong_thread("stream " + std::string(h.stream.device.type == mx::Device::gpu ? "gpu" : "cpu") + ":" +
                     std::to_string(h.stream.index) + " belongs to OS thread " + std::to_string(h.owner_tid) +
                     " and was used on OS thread " + std::to_string(os_thread_id()) +
                     ": make, use and close a stream on one locked OS thread (runtime.LockOSThread)");
}

mx::Dtype to_dtype(bb_dtype d) {
  switch (d) {
    case BB_BOOL: return mx::bool_;
    case BB_UINT8: return mx::uint8;
    case BB_UINT32: return mx::uint32;
    case BB_INT32: return mx::int32;
    case BB_INT64: return mx::int64;
    case BB_FLOAT16: return mx::float16;
    case BB_FLOAT32: return mx::float32;
    case BB_BFLOAT16: return mx::bfloat16;
  }
  throw std::invalid_argument("unknown dtype code " + std::to_string(int(d)));
}

bb_dtype from_dtype(mx::Dtype d) {
  if (d == mx::bool_) return BB_BOOL;
  if (d == mx::uint8) return BB_UINT8;
  if (d == mx::uint32) return BB_UINT32;
  if (d == mx::int32) return BB_INT32;
  if (d == mx::int64) return BB_INT64;
  if (d == mx::float16) return BB_FLOAT16;
  if (d == mx::float32) return BB_FLOAT32;
  if (d == mx::bfloat16) return BB_BFLOAT16;
  throw std::invalid_argument("array has a dtype this API does not expose");
}

static mx::Device::DeviceType device_type(bb_device_type t) {
  return t == BB_GPU ? mx::Device::gpu : mx::Device::cpu;
}

static std::vector<mx::array> gather(const bb_array* arrays, size_t n) {
  std::vector<mx::array> v;
  v.reserve(n);
  for (size_t i = 0; i < n; i++) v.push_back(arr(arrays[i]));
  return v;
}

}  // namespace bb

using namespace bb;

extern "C" {

const char* bb_last_error(void) { return last_error.c_str(); }

int bb_version(const char** res) {
  return guard([&] {
    *res = mx::version();
  });
}

int bb_device_count(int* res, bb_device_type type) {
  return guard([&] { *res = mx::device_count(device_type(type)); });
}

int bb_stream_new(bb_stream* res, bb_device_type type) {
  return guard([&] {
    mx::Device d(device_type(type), 0);
    if (!mx::is_available(d) || mx::device_count(device_type(type)) == 0) {
      throw std::runtime_error(type == BB_GPU ? "no GPU device: this MLX build sees 0 GPUs (install the metal or cuda backend and check the driver)"
                                              : "no CPU device");
    }
    res->ctx = new StreamHandle{mx::new_stream(d), std::this_thread::get_id(), os_thread_id()};
  });
}

int bb_stream_free(bb_stream s) {
  return guard([&] { delete static_cast<StreamHandle*>(s.ctx); });
}

int bb_synchronize(bb_stream s) {
  return guard([&] { mx::synchronize(stream(s)); });
}

int bb_set_blas_threads(int* res, int n) {
  return guard([&] {
    *res = 0;
    for (const char* name : {"openblas_set_num_threads", "MKL_Set_Num_Threads", "bli_thread_set_num_threads"}) {
      if (void* f = dlsym(RTLD_DEFAULT, name)) {
        reinterpret_cast<void (*)(int)>(f)(n);
        *res = 1;
        return;
      }
    }
  });
}

int bb_active_memory(size_t* res) { return guard([&] { *res = mx::get_active_memory(); }); }
int bb_peak_memory(size_t* res) { return guard([&] { *res = mx::get_peak_memory(); }); }
int bb_reset_peak_memory(void) { return guard([&] { mx::reset_peak_memory(); }); }
int bb_cache_memory(size_t* res) { return guard([&] { *res = mx::get_cache_memory(); }); }
int bb_set_cache_limit(size_t* res, size_t limit) { return guard([&] { *res = mx::set_cache_limit(limit); }); }
int bb_clear_cache(void) { return guard([&] { mx::clear_cache(); }); }

int bb_array_free(bb_array a) {
  return guard([&] { delete static_cast<mx::array*>(a.ctx); });
}

int bb_array_from_data(bb_array* res, const void* data, const int* shape, int ndim, bb_dtype dtype) {
  return guard([&] {
    mx::Shape sh(shape, shape + ndim);
    mx::Dtype dt = to_dtype(dtype);
    size_t n = 1;
    for (int d : sh) {
      if (d < 0) throw std::invalid_argument("negative dimension");
      n *= size_t(d);
    }
    size_t nbytes = n * dt.size();
    void* buf = std::malloc(nbytes > 0 ? nbytes : 1);
    if (buf == nullptr) throw std::bad_alloc();
    if (nbytes > 0) std::memcpy(buf, data, nbytes);
    put(res, mx::array(buf, sh, dt, [](void* p) { std::free(p); }));
  });
}

int bb_array_from_scalar(bb_array* res, double value, bb_dtype dtype) {
  return guard([&] { put(res, mx::array(value, to_dtype(dtype))); });
}

int bb_array_ndim(int* res, bb_array a) { return guard([&] { *res = int(arr(a).ndim()); }); }

int bb_array_shape(int* res, bb_array a, int cap) {
  return guard([&] {
    const auto& sh = arr(a).shape();
    if (int(sh.size()) > cap) throw std::invalid_argument("shape buffer too small");
    for (size_t i = 0; i < sh.size(); i++) res[i] = sh[i];
  });
}

int bb_array_dtype(bb_dtype* res, bb_array a) { return guard([&] { *res = from_dtype(arr(a).dtype()); }); }

int bb_array_to_host(void* dst, size_t nbytes, bb_array a, bb_stream s) {
  return guard([&] {
    const mx::Stream& st = stream(s);
    mx::array x = arr(a);
    x.eval();
    if (!x.flags().row_contiguous) {
      // A strided view: materialise a row-major copy first.
      x = mx::contiguous(x, false, st);
      x.eval();
    }
    if (!x.flags().row_contiguous) throw std::runtime_error("array is not row-contiguous after copy");
    if (x.nbytes() != nbytes) {
      throw std::invalid_argument("destination holds " + std::to_string(nbytes) + " bytes, array has " +
                                  std::to_string(x.nbytes()));
    }
    if (nbytes > 0) std::memcpy(dst, x.data<char>(), nbytes);
  });
}

int bb_eval(const bb_array* arrays, size_t n) {
  return guard([&] { mx::eval(gather(arrays, n)); });
}

int bb_async_eval(const bb_array* arrays, size_t n) {
  return guard([&] { mx::async_eval(gather(arrays, n)); });
}

}  // extern "C"
