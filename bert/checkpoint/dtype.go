package checkpoint

import "fmt"

// DType names an element type the way safetensors spells it.
type DType string

// The element types a checkpoint may hold.
const (
	F32  DType = "F32"
	F16  DType = "F16"
	BF16 DType = "BF16"
	F64  DType = "F64"
	I64  DType = "I64"
	I32  DType = "I32"
	I16  DType = "I16"
	I8   DType = "I8"
	U8   DType = "U8"
	Bool DType = "BOOL"
)

var dtypeSizes = map[DType]int{
	F32: 4, F16: 2, BF16: 2, F64: 8,
	I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, Bool: 1,
}

// Size is the number of bytes of one element, or 0 for an unknown dtype.
func (d DType) Size() int { return dtypeSizes[d] }

// IsFloat reports whether d is a floating-point type.
func (d DType) IsFloat() bool { return d == F32 || d == F16 || d == BF16 || d == F64 }

// parseDType accepts only the dtypes listed above.
func parseDType(s string) (DType, error) {
	d := DType(s)
	if d.Size() == 0 {
		return "", fmt.Errorf("unknown dtype %q (supported: F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL)", s)
	}
	return d, nil
}
