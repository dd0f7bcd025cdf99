package mlx

/*
#include "shim.h"
*/
import "C"

// ActiveMemory is the number of bytes MLX currently holds for live arrays (not its cache).
func ActiveMemory() uint64 {
	var n C.size_t
	_ = call("active_memory", func() C.int { return C.bb_active_memory(&n) })
	return uint64(n)
}

// PeakMemory is the largest ActiveMemory since the start or the last ResetPeakMemory.
func PeakMemory() uint64 {
	var n C.size_t
	_ = call("peak_memory", func() C.int { return C.bb_peak_memory(&n) })
	return uint64(n)
}

// ResetPeakMemory restarts PeakMemory's count from the current usage.
func ResetPeakMemory() {
	_ = call("reset_peak_memory", func() C.int { return C.bb_reset_peak_memory() })
}

// CacheMemory is the number of bytes MLX keeps cached for reuse.
func CacheMemory() uint64 {
	var n C.size_t
	_ = call("cache_memory", func() C.int { return C.bb_cache_memory(&n) })
	return uint64(n)
}

// SetCacheLimit bounds MLX's buffer cache and returns the previous limit.
func SetCacheLimit(bytes uint64) uint64 {
	var old C.size_t
	_ = call("set_cache_limit", func() C.int { return C.bb_set_cache_limit(&old, C.size_t(bytes)) })
	return uint64(old)
}

// ClearCache releases MLX's cached buffers.
func ClearCache() { _ = call("clear_cache", func() C.int { return C.bb_clear_cache() }) }

// SetBLASThreads sets the number of threads of the BLAS library behind MLX's CPU matrix products,
// when it is OpenBLAS, MKL or BLIS, and reports whether it could. Several CPU workers run best with
// one BLAS thread each: OpenBLAS's idle threads otherwise spin on the cores the workers need.
func SetBLASThreads(n int) bool {
	var ok C.int
	if call("set_blas_threads", func() C.int { return C.bb_set_blas_threads(&ok, C.int(n)) }) != nil {
		return false
	}
	return ok == 1
}

// SetWorkerThreads sets how many threads one CPU worker may use, for the BLAS library's matrix
// products (when it is one SetBLASThreads knows) and for the shim's own CPU kernels (attention,
// softmax, GELU, LayerNorm; every core by default), and reports whether the BLAS library took it.
// Several CPU workers run best with the cores divided between them.
func SetWorkerThreads(n int) bool {
	n = max(n, 1)
	_ = call("set_kernel_threads", func() C.int { return C.bb_set_kernel_threads(C.int(n)) }) // fails only for n < 1
	return SetBLASThreads(n)
}
