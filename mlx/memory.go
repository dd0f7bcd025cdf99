package mlx

/*
#include "shim.h"
*/
import "C"

// Process-wide settings: the memory and thread calls below change MLX for the whole process, every
// stream and thread included. The package changes none of them on its own; a program chooses them
// at start (bertbatch run does through stages.TuneCPU).

// ActiveMemory is the number of bytes MLX currently holds for live arrays (not its cache).
func ActiveMemory() (uint64, error) {
	var n C.size_t
	err := call("active_memory", func() C.int { return C.bb_active_memory(&n) })
	return uint64(n), err
}

// PeakMemory is the largest ActiveMemory since the start or the last ResetPeakMemory.
func PeakMemory() (uint64, error) {
	var n C.size_t
	err := call("peak_memory", func() C.int { return C.bb_peak_memory(&n) })
	return uint64(n), err
}

// ResetPeakMemory restarts PeakMemory's count from the current usage.
func ResetPeakMemory() error {
	return call("reset_peak_memory", func() C.int { return C.bb_reset_peak_memory() })
}

// CacheMemory is the number of bytes MLX keeps cached for reuse.
func CacheMemory() (uint64, error) {
	var n C.size_t
	err := call("cache_memory", func() C.int { return C.bb_cache_memory(&n) })
	return uint64(n), err
}

// SetCacheLimit bounds MLX's buffer cache (process-wide) and returns the previous limit. MLX's
// default is its memory limit: buffers are kept for reuse until then.
func SetCacheLimit(bytes uint64) (uint64, error) {
	var old C.size_t
	err := call("set_cache_limit", func() C.int { return C.bb_set_cache_limit(&old, C.size_t(bytes)) })
	return uint64(old), err
}

// ClearCache releases MLX's cached buffers.
func ClearCache() error { return call("clear_cache", func() C.int { return C.bb_clear_cache() }) }

// SetBLASThreads sets the number of threads of the BLAS library behind MLX's CPU matrix products
// (process-wide), when it is OpenBLAS, MKL or BLIS, and reports whether it could. The library's
// default is its own (OpenBLAS: every core). Several CPU workers run best with one BLAS thread
// each: OpenBLAS's idle threads otherwise spin on the cores the workers need.
func SetBLASThreads(n int) (bool, error) {
	var ok C.int
	err := call("set_blas_threads", func() C.int { return C.bb_set_blas_threads(&ok, C.int(n)) })
	return ok == 1, err
}

// SetWorkerThreads sets how many threads one CPU worker may use (process-wide), for the BLAS
// library's matrix products (when it is one SetBLASThreads knows) and for the shim's own CPU
// kernels (attention, softmax, GELU, LayerNorm; every core by default), and reports whether the
// BLAS library took it. n below 1 counts as 1. Several CPU workers run best with the cores divided
// between them.
func SetWorkerThreads(n int) (bool, error) {
	n = max(n, 1)
	if err := call("set_kernel_threads", func() C.int { return C.bb_set_kernel_threads(C.int(n)) }); err != nil {
		return false, err
	}
	return SetBLASThreads(n)
}
