package mlx

/*
#include "shim.h"
*/
import "C"

import (
	"cmp"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Array is an MLX array: a node of a lazily evaluated graph, or evaluated data.
// Its handle is freed by Close; see the package documentation for lifetimes.
type Array struct {
	mu sync.Mutex
	h  C.bb_array
}

var (
	liveArrays   atomic.Int64
	leakedArrays atomic.Int64
)

// Live is the number of arrays created and not yet closed.
func Live() int64 { return liveArrays.Load() }

// Leaked is the number of arrays the garbage collector found unreachable before Close was
// called. Their MLX memory is not freed; a non-zero count is a bug in the caller.
func Leaked() int64 { return leakedArrays.Load() }

func newArray(h C.bb_array) *Array {
	a := &Array{h: h}
	liveArrays.Add(1)
	runtime.SetFinalizer(a, func(a *Array) {
		if a.h.ctx != nil {
			leakedArrays.Add(1)
		}
	})
	return a
}

// Close frees the array's handle. It is safe to call more than once and on nil.
func (a *Array) Close() {
	if a == nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.h.ctx == nil {
		return
	}
	runtime.SetFinalizer(a, nil)
	C.bb_array_free(a.h)
	a.h.ctx = nil
	liveArrays.Add(-1)
}

func (a *Array) handle() C.bb_array {
	if a == nil {
		return C.bb_array{}
	}
	return a.h
}

// FromBytes copies raw little-endian data of the given dtype and shape into a new array.
func FromBytes(data []byte, dtype Dtype, shape ...int) (*Array, error) {
	if !dtype.valid() {
		return nil, fmt.Errorf("mlx: invalid dtype %d", int(dtype))
	}
	n := 1
	for _, d := range shape {
		if d < 0 {
			return nil, fmt.Errorf("mlx: negative dimension in shape %v", shape)
		}
		n *= d
	}
	if len(data) != n*dtype.Size() {
		return nil, fmt.Errorf("mlx: %d bytes do not fill a %s array of shape %v (%d bytes)", len(data), dtype, shape, n*dtype.Size())
	}
	cs, free := cInts(shape)
	defer free()
	var ptr unsafe.Pointer
	if len(data) > 0 {
		ptr = unsafe.Pointer(&data[0])
	}
	var h C.bb_array
	err := call("array_from_data", func() C.int {
		return C.bb_array_from_data(&h, ptr, cs, C.int(len(shape)), dtype.c())
	})
	runtime.KeepAlive(data)
	if err != nil {
		return nil, err
	}
	return newArray(h), nil
}

// FromInt32 copies int32 values into a new array of the given shape.
func FromInt32(v []int32, shape ...int) (*Array, error) {
	return FromBytes(sliceBytes(v), Int32, shape...)
}

// FromFloat32 copies float32 values into a new array of the given shape.
func FromFloat32(v []float32, shape ...int) (*Array, error) {
	return FromBytes(sliceBytes(v), Float32, shape...)
}

// FromBool copies booleans into a new bool array of the given shape.
func FromBool(v []bool, shape ...int) (*Array, error) {
	return FromBytes(sliceBytes(v), Bool, shape...)
}

// Scalar makes a 0-dimensional array holding v as dtype.
func Scalar(v float64, dtype Dtype) (*Array, error) {
	var h C.bb_array
	if err := call("array_from_scalar", func() C.int { return C.bb_array_from_scalar(&h, C.double(v), dtype.c()) }); err != nil {
		return nil, err
	}
	return newArray(h), nil
}

func sliceBytes[T any](v []T) []byte {
	if len(v) == 0 {
		return nil
	}
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*int(unsafe.Sizeof(zero)))
}

// Shape returns the array's dimensions; it fails on a nil or closed array.
func (a *Array) Shape() ([]int, error) {
	var nd C.int
	if err := call("array_ndim", func() C.int { return C.bb_array_ndim(&nd, a.handle()) }); err != nil {
		return nil, err
	}
	dims := make([]C.int, int(nd)+1)
	if err := call("array_shape", func() C.int { return C.bb_array_shape(&dims[0], a.handle(), nd) }); err != nil {
		return nil, err
	}
	out := make([]int, int(nd))
	for i := range out {
		out[i] = int(dims[i])
	}
	return out, nil
}

// Dtype returns the array's element type; it fails on a nil or closed array.
func (a *Array) Dtype() (Dtype, error) {
	var d C.bb_dtype
	if err := call("array_dtype", func() C.int { return C.bb_array_dtype(&d, a.handle()) }); err != nil {
		return 0, err
	}
	return dtypeFromC(d), nil
}

// Size is the number of elements; it fails on a nil or closed array.
func (a *Array) Size() (int, error) {
	shape, err := a.Shape()
	if err != nil {
		return 0, err
	}
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n, nil
}

// CopyTo evaluates the array on stream s and copies its elements, row-major, into dst, which
// must hold exactly the array's bytes.
func (a *Array) CopyTo(s *Stream, dst []byte) error {
	var ptr unsafe.Pointer
	if len(dst) > 0 {
		ptr = unsafe.Pointer(&dst[0])
	}
	err := call("array_to_host", func() C.int {
		return C.bb_array_to_host(ptr, C.size_t(len(dst)), a.handle(), s.handle())
	})
	runtime.KeepAlive(dst)
	return err
}

// Float32s evaluates a float32 array and returns its elements row-major.
func (a *Array) Float32s(s *Stream) ([]float32, error) {
	if d, err := a.Dtype(); err != nil || d != Float32 {
		return nil, cmp.Or(err, fmt.Errorf("mlx: Float32s on a %s array", d))
	}
	n, err := a.Size()
	if err != nil {
		return nil, err
	}
	out := make([]float32, n)
	return out, a.CopyTo(s, sliceBytes(out))
}

// Int32s evaluates an int32 array and returns its elements row-major.
func (a *Array) Int32s(s *Stream) ([]int32, error) {
	if d, err := a.Dtype(); err != nil || (d != Int32 && d != Uint32) {
		return nil, cmp.Or(err, fmt.Errorf("mlx: Int32s on a %s array", d))
	}
	n, err := a.Size()
	if err != nil {
		return nil, err
	}
	out := make([]int32, n)
	return out, a.CopyTo(s, sliceBytes(out))
}

// Eval evaluates the arrays (and everything they depend on), waiting for the result.
func Eval(arrays ...*Array) error { return evalWith("eval", arrays, false) }

// AsyncEval schedules the evaluation of the arrays and returns at once; a later Eval, CopyTo
// or Stream.Synchronize waits for it.
func AsyncEval(arrays ...*Array) error { return evalWith("async_eval", arrays, true) }

func evalWith(op string, arrays []*Array, async bool) error {
	if len(arrays) == 0 {
		return nil
	}
	hs := make([]C.bb_array, len(arrays))
	for i, a := range arrays {
		if a == nil || a.h.ctx == nil {
			return fmt.Errorf("mlx %s: array %d is nil or closed", op, i)
		}
		hs[i] = a.h
	}
	return call(op, func() C.int {
		if async {
			return C.bb_async_eval(&hs[0], C.size_t(len(hs)))
		}
		return C.bb_eval(&hs[0], C.size_t(len(hs)))
	})
}
