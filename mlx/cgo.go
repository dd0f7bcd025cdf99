package mlx

/*
#cgo CXXFLAGS: -std=c++20 -O3
#cgo LDFLAGS: -lmlx -lstdc++
#cgo linux LDFLAGS: -ldl
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// call runs one shim function on a locked OS thread, so that the per-thread error message it
// leaves behind is read on the same thread, and converts a failure into an *Error.
func call(op string, f func() C.int) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	switch f() {
	case C.BB_OK:
		return nil
	case C.BB_ERR_WRONG_THREAD:
		return &Error{Op: op, Message: C.GoString(C.bb_last_error()), Err: ErrWrongThread}
	}
	return &Error{Op: op, Message: C.GoString(C.bb_last_error())}
}

// cInts converts Go ints to a C array that stays valid until the returned free is called.
func cInts(v []int) (*C.int, func()) {
	if len(v) == 0 {
		return nil, func() {}
	}
	p := (*C.int)(C.malloc(C.size_t(len(v)) * C.size_t(unsafe.Sizeof(C.int(0)))))
	s := unsafe.Slice(p, len(v))
	for i, x := range v {
		s[i] = C.int(x)
	}
	return p, func() { C.free(unsafe.Pointer(p)) }
}
