package parquetio

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/float16"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// VectorType returns the type of a column of vectors of dim values:
// fixed_size_list<float32>[dim], or fixed_size_list<float16>[dim] when half.
// The item field is nullable, as in pyarrow's pa.list_(pa.float32(), dim),
// so that the types compare equal; NewVectors never writes nulls.
func VectorType(dim int, half bool) *arrow.FixedSizeListType {
	elem := arrow.DataType(arrow.PrimitiveTypes.Float32)
	if half {
		elem = arrow.FixedWidthTypes.Float16
	}
	return arrow.FixedSizeListOf(int32(dim), elem)
}

// NewVectors returns a column of len(flat)/dim vectors of type
// VectorType(dim, half), row-major from flat. With half, values are rounded
// to the nearest float16 (ties to even), as numpy's astype(float16) does.
func NewVectors(mem memory.Allocator, flat []float32, dim int, half bool) (arrow.Array, error) {
	if dim <= 0 || len(flat)%dim != 0 {
		return nil, fmt.Errorf("%d values do not make vectors of %d dimensions", len(flat), dim)
	}
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	b := array.NewFixedSizeListBuilderWithField(mem, int32(dim), VectorType(dim, half).ElemField())
	defer b.Release()
	n := len(flat) / dim
	b.Reserve(n)
	for range n {
		b.Append(true)
	}
	switch vb := b.ValueBuilder().(type) {
	case *array.Float32Builder:
		vb.AppendValues(flat, nil)
	case *array.Float16Builder:
		vb.Reserve(len(flat))
		for _, v := range flat {
			vb.UnsafeAppend(float16.FromBits(Float16Bits(v)))
		}
	}
	return b.NewArray(), nil
}

// Float16Bits rounds f to the nearest IEEE 754 half-precision value (ties
// to even; overflow to infinity; subnormals kept) and returns its bits.
func Float16Bits(f float32) uint16 {
	bits := math.Float32bits(f)
	sign := uint16(bits>>16) & 0x8000
	exp := bits & 0x7f800000
	sig := bits & 0x007fffff
	switch {
	case exp == 0x7f800000 && sig != 0: // NaN: keep it a (quiet) NaN
		return sign | 0x7e00 | uint16(sig>>13)
	case exp >= 0x47800000: // infinity, or too large for float16
		return sign | 0x7c00
	case exp < 0x33000000: // below half the smallest subnormal
		return sign
	case exp <= 0x38000000: // float16 subnormal
		shift := 126 - exp>>23 // 14 (largest subnormals) to 24
		full := sig | 0x00800000
		half := full >> shift
		rest := full & (1<<shift - 1)
		mid := uint32(1) << (shift - 1)
		if rest > mid || rest == mid && half&1 == 1 {
			half++
		}
		return sign | uint16(half)
	}
	half := uint32(exp-0x38000000)>>13 | sig>>13
	rest := sig & 0x1fff
	if rest > 0x1000 || rest == 0x1000 && half&1 == 1 {
		half++ // may carry into the exponent, up to infinity
	}
	return sign | uint16(half)
}

// NewTokenLists returns a list<int32> column of the given rows (a nil row
// is null).
func NewTokenLists(mem memory.Allocator, rows [][]int32) arrow.Array {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	b := array.NewListBuilder(mem, arrow.PrimitiveTypes.Int32)
	defer b.Release()
	vb := b.ValueBuilder().(*array.Int32Builder)
	for _, row := range rows {
		if row == nil {
			b.AppendNull()
			continue
		}
		b.Append(true)
		vb.AppendValues(row, nil)
	}
	return b.NewArray()
}
