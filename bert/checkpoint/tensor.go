package checkpoint

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// Tensor is a host tensor in row-major order, little-endian raw bytes.
// Data may share its backing array with other tensors; do not modify it.
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	Data  []byte
}

// NumElements is the product of Shape (1 for a scalar).
func (t Tensor) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// errOverflow reports a size that does not fit in memory arithmetic.
var errOverflow = errors.New("size overflows 64-bit arithmetic")

// checkedNumel multiplies dims, refusing negative dims and overflow past max.
func checkedNumel(shape []int) (int, error) {
	n := uint64(1)
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension %d in shape %v", d, shape)
		}
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 || lo > math.MaxInt64 {
			return 0, errOverflow
		}
		n = lo
	}
	return int(n), nil
}

// checkedBytes returns numel*size, refusing overflow.
func checkedBytes(numel int, size int) (int, error) {
	hi, lo := bits.Mul64(uint64(numel), uint64(size))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, errOverflow
	}
	return int(lo), nil
}

// Float32s converts a floating-point tensor (F32, F16, BF16 or F64) to float32
// values. F16 and BF16 widen exactly; F64 rounds to nearest.
func (t Tensor) Float32s() ([]float32, error) {
	if !t.DType.IsFloat() {
		return nil, fmt.Errorf("tensor %q: dtype %s is not a float type", t.Name, t.DType)
	}
	size := t.DType.Size()
	if len(t.Data)%size != 0 {
		return nil, fmt.Errorf("tensor %q: %d data bytes is not a multiple of %d", t.Name, len(t.Data), size)
	}
	out := make([]float32, len(t.Data)/size)
	for i := range out {
		b := t.Data[i*size:]
		switch t.DType {
		case F32:
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b))
		case F16:
			out[i] = halfToFloat32(binary.LittleEndian.Uint16(b))
		case BF16:
			out[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(b)) << 16)
		case F64:
			out[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(b)))
		}
	}
	return out, nil
}

// Int64s converts an integer or boolean tensor to int64 values.
func (t Tensor) Int64s() ([]int64, error) {
	if t.DType.IsFloat() || t.DType.Size() == 0 {
		return nil, fmt.Errorf("tensor %q: dtype %s is not an integer type", t.Name, t.DType)
	}
	size := t.DType.Size()
	if len(t.Data)%size != 0 {
		return nil, fmt.Errorf("tensor %q: %d data bytes is not a multiple of %d", t.Name, len(t.Data), size)
	}
	out := make([]int64, len(t.Data)/size)
	for i := range out {
		b := t.Data[i*size:]
		switch t.DType {
		case I64:
			out[i] = int64(binary.LittleEndian.Uint64(b))
		case I32:
			out[i] = int64(int32(binary.LittleEndian.Uint32(b)))
		case I16:
			out[i] = int64(int16(binary.LittleEndian.Uint16(b)))
		case I8:
			out[i] = int64(int8(b[0]))
		case U8, Bool:
			out[i] = int64(b[0])
		}
	}
	return out, nil
}

// halfToFloat32 widens an IEEE 754 binary16 value exactly.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp != 0: // normal
		return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
	case frac == 0: // signed zero
		return math.Float32frombits(sign)
	}
	// Subnormal: frac × 2^-24, exact in float32.
	v := float32(frac) * (1.0 / (1 << 24))
	if sign != 0 {
		v = -v
	}
	return v
}
