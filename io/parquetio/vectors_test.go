package parquetio

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestFloat16Bits compares the rounding with numpy's astype(float16) on
// ties, subnormals, overflow and random values (testdata/expected/float16.json).
func TestFloat16Bits(t *testing.T) {
	data, err := os.ReadFile("../testdata/expected/float16.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases struct {
		In  []uint32 `json:"float32_bits"`
		Out []uint16 `json:"float16_bits"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases.In) < 1000 || len(cases.In) != len(cases.Out) {
		t.Fatalf("%d inputs, %d outputs", len(cases.In), len(cases.Out))
	}
	for i, in := range cases.In {
		f := math.Float32frombits(in)
		if got := Float16Bits(f); got != cases.Out[i] {
			t.Errorf("Float16Bits(%g = %#08x) = %#04x, numpy gives %#04x", f, in, got, cases.Out[i])
		}
	}
	if got := Float16Bits(float32(math.NaN())); got&0x7c00 != 0x7c00 || got&0x3ff == 0 {
		t.Errorf("Float16Bits(NaN) = %#04x, not a NaN", got)
	}
}

func TestNewVectors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	flat := []float32{1, 2, 3, 4, 5, 6}
	for _, half := range []bool{false, true} {
		arr, err := NewVectors(mem, flat, 3, half)
		if err != nil {
			t.Fatal(err)
		}
		if arr.Len() != 2 || arr.NullN() != 0 || arr.DataType().String() != VectorType(3, half).String() {
			t.Fatalf("half=%v: %d vectors of %s", half, arr.Len(), arr.DataType())
		}
		if got := arr.(*array.FixedSizeList).ListValues().ValueStr(4); got != "5" {
			t.Fatalf("half=%v: value 4 = %s, want 5", half, got)
		}
		arr.Release()
	}
	if _, err := NewVectors(mem, flat, 4, false); err == nil {
		t.Fatal("6 values as vectors of 4: no error")
	}
}
