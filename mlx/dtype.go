package mlx

/*
#include "shim.h"
*/
import "C"

import "fmt"

// Dtype is an array element type.
type Dtype int

// The element types this package exposes.
const (
	Bool Dtype = iota
	Uint8
	Uint32
	Int32
	Int64
	Float16
	Float32
	BFloat16
)

var dtypeInfo = [...]struct {
	name string
	size int
	c    C.bb_dtype
}{
	Bool:     {"bool", 1, C.BB_BOOL},
	Uint8:    {"uint8", 1, C.BB_UINT8},
	Uint32:   {"uint32", 4, C.BB_UINT32},
	Int32:    {"int32", 4, C.BB_INT32},
	Int64:    {"int64", 8, C.BB_INT64},
	Float16:  {"float16", 2, C.BB_FLOAT16},
	Float32:  {"float32", 4, C.BB_FLOAT32},
	BFloat16: {"bfloat16", 2, C.BB_BFLOAT16},
}

func (d Dtype) valid() bool { return d >= 0 && int(d) < len(dtypeInfo) }

// String returns the dtype's name, as MLX and NumPy spell it.
func (d Dtype) String() string {
	if !d.valid() {
		return fmt.Sprintf("Dtype(%d)", int(d))
	}
	return dtypeInfo[d].name
}

// Size is the number of bytes of one element.
func (d Dtype) Size() int {
	if !d.valid() {
		return 0
	}
	return dtypeInfo[d].size
}

// IsFloat reports whether d is a floating-point type.
func (d Dtype) IsFloat() bool { return d == Float16 || d == Float32 || d == BFloat16 }

// ParseDtype maps a name ("float32", "float16", "bfloat16", …) to a Dtype.
func ParseDtype(name string) (Dtype, error) {
	for d, info := range dtypeInfo {
		if info.name == name {
			return Dtype(d), nil
		}
	}
	return 0, fmt.Errorf("unknown dtype %q (want float32, float16 or bfloat16)", name)
}

func (d Dtype) c() C.bb_dtype { return dtypeInfo[d].c }

func dtypeFromC(c C.bb_dtype) Dtype {
	for d, info := range dtypeInfo {
		if info.c == c {
			return Dtype(d)
		}
	}
	return -1
}
