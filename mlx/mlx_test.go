package mlx

import (
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"
)

// withStream runs f on a locked OS thread with a fresh CPU stream, as MLX workers do.
func withStream(t *testing.T, f func(s *Stream)) {
	t.Helper()
	if err := OnThread(CPU, func(s *Stream) error { f(s); return nil }); err != nil {
		t.Fatalf("stream: %v", err)
	}
}

func TestMatmulMatchesHostArithmetic(t *testing.T) {
	withStream(t, func(s *Stream) {
		sc := NewScope(s)
		defer sc.Close()
		a := sc.FromFloat32([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
		b := sc.FromFloat32([]float32{7, 8, 9, 10, 11, 12}, 3, 2)
		c := sc.Matmul(a, b)
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		got, err := c.Float32s(s)
		if err != nil {
			t.Fatal(err)
		}
		want := []float32{58, 64, 139, 154}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("matmul = %v, want %v", got, want)
			}
		}
		if sh, err := c.Shape(); err != nil || len(sh) != 2 || sh[0] != 2 || sh[1] != 2 {
			t.Fatalf("shape = %v, %v", sh, err)
		}
	})
}

func TestErrorsCarryOpAndMessage(t *testing.T) {
	withStream(t, func(s *Stream) {
		sc := NewScope(s)
		defer sc.Close()
		a := sc.FromFloat32(make([]float32, 6), 2, 3)
		b := sc.FromFloat32(make([]float32, 6), 2, 3)
		c := sc.Matmul(a, b)
		if c != nil {
			t.Fatal("matmul of mismatched shapes returned an array")
		}
		var me *Error
		if !errors.As(sc.Err(), &me) || me.Op != "matmul" || me.Message == "" {
			t.Fatalf("err = %#v, want *Error for matmul", sc.Err())
		}
		// Later operations are no-ops once the scope failed.
		if sc.Add(a, b) != nil {
			t.Fatal("operation after failure ran")
		}
	})
}

func TestTransposedViewCopiesRowMajor(t *testing.T) {
	withStream(t, func(s *Stream) {
		sc := NewScope(s)
		defer sc.Close()
		a := sc.FromFloat32([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
		got, err := sc.Transpose(a, 1, 0).Float32s(s)
		if err != nil {
			t.Fatal(err)
		}
		want := []float32{1, 4, 2, 5, 3, 6}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("transpose = %v, want %v", got, want)
			}
		}
	})
}

func TestGPUWithoutDeviceIsAClearError(t *testing.T) {
	n, err := DeviceCount(GPU)
	if err != nil {
		t.Fatal(err)
	}
	if n > 0 {
		t.Skip("this machine has a GPU")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	_, err = NewStream(GPU)
	if err == nil || !strings.Contains(err.Error(), "no gpu device") {
		t.Fatalf("NewStream(GPU) = %v, want a no-gpu error", err)
	}
}

func TestCloseIsIdempotentAndCounted(t *testing.T) {
	before := Live()
	a, err := FromFloat32([]float32{1}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if Live() != before+1 {
		t.Fatalf("Live = %d, want %d", Live(), before+1)
	}
	a.Close()
	a.Close()
	if Live() != before {
		t.Fatalf("Live after Close = %d, want %d", Live(), before)
	}
}

func TestFromBytesChecksLength(t *testing.T) {
	if _, err := FromBytes(make([]byte, 7), Float32, 2); err == nil {
		t.Fatal("FromBytes accepted 7 bytes for 2 float32s")
	}
}

func TestLayerNormAndAttentionRun(t *testing.T) {
	withStream(t, func(s *Stream) {
		sc := NewScope(s)
		defer sc.Close()
		x := sc.FromFloat32([]float32{1, 2, 3, 4}, 1, 4)
		w := sc.FromFloat32([]float32{1, 1, 1, 1}, 4)
		b := sc.FromFloat32([]float32{0, 0, 0, 0}, 4)
		got, err := sc.LayerNorm(x, w, b, 1e-12).Float32s(s)
		if err != nil {
			t.Fatal(err)
		}
		// mean 2.5, variance 1.25
		for i, v := range []float64{1, 2, 3, 4} {
			want := (v - 2.5) / math.Sqrt(1.25)
			if math.Abs(float64(got[i])-want) > 1e-5 {
				t.Fatalf("layer_norm[%d] = %v, want %v", i, got[i], want)
			}
		}
		q := sc.FromFloat32([]float32{1, 0, 0, 1}, 1, 1, 2, 2)
		mask := sc.FromBool([]bool{true, false, true, true}, 1, 1, 2, 2)
		out, err := sc.Attention(q, q, q, 1, mask).Float32s(s)
		if err != nil {
			t.Fatal(err)
		}
		// Row 0 sees only key 0.
		if out[0] != 1 || out[1] != 0 {
			t.Fatalf("masked attention row 0 = %v", out[:2])
		}
	})
}
