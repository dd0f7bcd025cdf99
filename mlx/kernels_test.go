package mlx

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The CPU kernels of the shim against the same formulas in float64 host arithmetic. Lengths are
// chosen around the 8-lane vector width so that both the vector loops and their scalar tails run.

func randomFloats(r *rand.Rand, n int, scale float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64() * scale)
	}
	return v
}

// attentionReference is softmax(scale·q·kᵀ with keys of keep = 0 excluded)·v per row and head,
// from qkv [B·L, 3H]; a row with no kept key gives zeros.
func attentionReference(qkv []float32, keep []float32, B, L, NH, HD int, scale float64) []float64 {
	return shapedAttentionReference(qkv, keep, B, L, NH, HD, scale, nil, 0, 0)
}

// shapedAttentionReference is attentionReference with the scores shaped as AttentionShaping says:
// bias [NH, 2R+1] added by relative position (nil: none), and keys farther than window from the
// query excluded (0: none).
func shapedAttentionReference(qkv []float32, keep []float32, B, L, NH, HD int, scale float64, bias []float32, R, window int) []float64 {
	H := NH * HD
	out := make([]float64, B*L*H)
	at := func(b, i, part, h, d int) float64 { return float64(qkv[(b*L+i)*3*H+part*H+h*HD+d]) }
	for b := range B {
		for h := range NH {
			for i := range L {
				scores := make([]float64, L)
				best := math.Inf(-1)
				excluded := func(j int) bool { return keep[b*L+j] == 0 || (window > 0 && abs(i-j) > window) }
				for j := range L {
					if excluded(j) {
						continue
					}
					for d := range HD {
						scores[j] += at(b, i, 0, h, d) * at(b, j, 1, h, d)
					}
					scores[j] *= scale
					if bias != nil {
						scores[j] += float64(bias[h*(2*R+1)+min(max(j-i, -R), R)+R])
					}
					best = math.Max(best, scores[j])
				}
				sum := 0.0
				for j := range L {
					if excluded(j) {
						scores[j] = 0
						continue
					}
					scores[j] = math.Exp(scores[j] - best)
					sum += scores[j]
				}
				for d := range HD {
					acc := 0.0
					for j := range L {
						if sum > 0 {
							acc += scores[j] / sum * at(b, j, 2, h, d)
						}
					}
					out[(b*L+i)*H+h*HD+d] = acc
				}
			}
		}
	}
	return out
}

func TestAttentionQKVMatchesHostArithmetic(t *testing.T) {
	cases := []struct {
		name      string
		L, NH, HD int
		keep      [][]float32 // one mask per batch row
		R, window int         // bias table reach (0: no table) and window (0: none)
	}{
		{"prefix masks", 11, 3, 8, [][]float32{
			{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
			{1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0},
			{1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},
		}, 0, 0},
		{"holes in the mask", 13, 2, 12, [][]float32{
			{1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1},
			{0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
		}, 0, 0},
		{"a row with nothing kept", 9, 4, 4, [][]float32{
			{0, 0, 0, 0, 0, 0, 0, 0, 0},
			{1, 1, 1, 1, 1, 0, 0, 0, 0},
		}, 0, 0},
		{"relative bias, prefix masks", 11, 3, 8, [][]float32{
			{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
			{1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0},
		}, 4, 0},
		{"relative bias and window, holes", 13, 2, 12, [][]float32{
			{1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1},
			{1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},
		}, 3, 2},
		{"window only, queries with no key in reach", 10, 2, 8, [][]float32{
			{1, 1, 1, 0, 0, 0, 0, 0, 0, 0},
			{1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
		}, 0, 1},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			B, H := len(tc.keep), tc.NH*tc.HD
			var keep []float32
			for _, k := range tc.keep {
				keep = append(keep, k...)
			}
			qkv := randomFloats(r, B*tc.L*3*H, 1)
			scale := 1 / math.Sqrt(float64(tc.HD))
			var bias []float32
			if tc.R > 0 {
				bias = randomFloats(r, tc.NH*(2*tc.R+1), 2)
			}
			want := shapedAttentionReference(qkv, keep, B, tc.L, tc.NH, tc.HD, scale, bias, tc.R, tc.window)
			withStream(t, func(s *Stream) {
				sc := NewScope(s)
				defer sc.Close()
				sh := AttentionShaping{Window: tc.window}
				if bias != nil {
					sh.Bias = sc.FromFloat32(bias, tc.NH, 2*tc.R+1)
				}
				out := sc.AttentionQKV(sc.FromFloat32(qkv, B*tc.L, 3*H), sc.FromFloat32(keep, B, tc.L), tc.NH, float32(scale), sh)
				got, err := out.Float32s(s)
				if err != nil {
					t.Fatal(err)
				}
				if sh, err := out.Shape(); err != nil || len(sh) != 2 || sh[0] != B*tc.L || sh[1] != H {
					t.Fatalf("shape %v, want [%d %d]", sh, B*tc.L, H)
				}
				assertClose(t, got, want, 2e-6)
			})
		})
	}
}

func TestAttentionQKVRefusesBadShapes(t *testing.T) {
	withStream(t, func(s *Stream) {
		sc := NewScope(s)
		defer sc.Close()
		sc.AttentionQKV(sc.FromFloat32(make([]float32, 4*9), 4, 9), sc.FromFloat32(make([]float32, 6), 2, 3), 2, 1, AttentionShaping{})
		if sc.Err() == nil {
			t.Fatal("qkv of 9 columns with 2 heads and 4 rows for a [2, 3] mask was accepted")
		}
	})
}

func TestCPUKernelsMatchHostArithmetic(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 7, 8, 13, 384} {
		t.Run(fmt.Sprintf("width %d", n), func(t *testing.T) {
			rows := 5
			x, res := randomFloats(r, rows*n, 3), randomFloats(r, rows*n, 3)
			w, b := randomFloats(r, n, 1), randomFloats(r, n, 1)
			const eps = 1e-12
			withStream(t, func(s *Stream) {
				sc := NewScope(s)
				defer sc.Close()
				xs, rs := sc.FromFloat32(x, rows, n), sc.FromFloat32(res, rows, n)
				ws, bs := sc.FromFloat32(w, n), sc.FromFloat32(b, n)
				for _, tc := range []struct {
					name     string
					out      *Array
					residual bool
				}{
					{"layer_norm", sc.LayerNorm(xs, ws, bs, eps), false},
					{"add_layer_norm", sc.AddLayerNorm(xs, rs, ws, bs, eps), true},
				} {
					got, err := tc.out.Float32s(s)
					if err != nil {
						t.Fatal(err)
					}
					want := make([]float64, rows*n)
					for i := range rows {
						row := make([]float64, n)
						mean := 0.0
						for j := range n {
							row[j] = float64(x[i*n+j])
							if tc.residual {
								row[j] += float64(res[i*n+j])
							}
							mean += row[j] / float64(n)
						}
						variance := 0.0
						for j := range n {
							variance += (row[j] - mean) * (row[j] - mean) / float64(n)
						}
						for j := range n {
							want[i*n+j] = (row[j]-mean)/math.Sqrt(variance+eps)*float64(w[j]) + float64(b[j])
						}
					}
					if n == 1 {
						continue // a single column normalises to the bias exactly; covered by width 7
					}
					t.Run(tc.name, func(t *testing.T) { assertClose(t, got, want, 5e-6) })
				}
				got, err := sc.GELU(xs).Float32s(s)
				if err != nil {
					t.Fatal(err)
				}
				want := make([]float64, len(x))
				for i, v := range x {
					want[i] = 0.5 * float64(v) * (1 + math.Erf(float64(v)/math.Sqrt2))
				}
				t.Run("gelu", func(t *testing.T) { assertClose(t, got, want, 2e-6) })
			})
		})
	}
}

// assertClose fails when any element differs from want by more than tol·(1 + |want|).
func assertClose(t *testing.T, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d values, want %d", len(got), len(want))
	}
	for i := range want {
		if d := math.Abs(float64(got[i]) - want[i]); d > tol*(1+math.Abs(want[i])) || math.IsNaN(float64(got[i])) {
			t.Fatalf("element %d = %v, want %v (|Δ| %.3g)", i, got[i], want[i], d)
		}
	}
}

func TestDenseMatchesHostArithmetic(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct {
		name          string
		rows, in, out int
		gelu          bool
	}{
		{"plain", 5, 13, 7, false},
		{"with gelu", 9, 16, 11, true},
		{"one row", 1, 8, 3, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, w, b := randomFloats(r, tc.rows*tc.in, 1), randomFloats(r, tc.out*tc.in, 1), randomFloats(r, tc.out, 1)
			want := make([]float64, tc.rows*tc.out)
			for i := range tc.rows {
				for o := range tc.out {
					v := float64(b[o])
					for k := range tc.in {
						v += float64(x[i*tc.in+k]) * float64(w[o*tc.in+k])
					}
					if tc.gelu {
						v = 0.5 * v * (1 + math.Erf(v/math.Sqrt2))
					}
					want[i*tc.out+o] = v
				}
			}
			withStream(t, func(s *Stream) {
				sc := NewScope(s)
				defer sc.Close()
				y := sc.Dense(sc.FromFloat32(x, tc.rows, tc.in), sc.FromFloat32(w, tc.out, tc.in), sc.FromFloat32(b, tc.out), tc.gelu)
				got, err := y.Float32s(s)
				if err != nil {
					t.Fatal(err)
				}
				assertClose(t, got, want, 2e-6)
			})
		})
	}
}

func TestAttentionVarlenMatchesHostArithmetic(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, tc := range []struct {
		name      string
		lengths   []int
		filler    int // rows past the last sequence
		NH, HD    int
		R, window int // bias table reach (0: no table) and window (0: none)
	}{
		{"one sequence", []int{9}, 0, 2, 8, 0, 0},
		{"several lengths", []int{1, 13, 4, 8, 17}, 0, 3, 16, 0, 0},
		{"filler rows", []int{5, 3}, 6, 2, 8, 0, 0},
		{"relative bias", []int{1, 13, 4, 17}, 3, 2, 8, 5, 0},
		{"window", []int{2, 13, 9}, 0, 2, 8, 0, 3},
		{"relative bias and window", []int{20, 6}, 2, 3, 8, 4, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			H := tc.NH * tc.HD
			offsets, tokens, longest := []int32{0}, 0, 0
			for _, n := range tc.lengths {
				tokens += n
				longest = max(longest, n)
				offsets = append(offsets, int32(tokens))
			}
			rows := tokens + tc.filler
			qkv := randomFloats(r, rows*3*H, 1)
			scale := 1 / math.Sqrt(float64(tc.HD))
			var bias []float32
			if tc.R > 0 {
				bias = randomFloats(r, tc.NH*(2*tc.R+1), 2)
			}
			want := make([]float64, rows*H) // filler rows stay zero
			for b, n := range tc.lengths {
				seq := qkv[int(offsets[b])*3*H : (int(offsets[b])+n)*3*H]
				keep := make([]float32, n)
				for i := range keep {
					keep[i] = 1
				}
				copy(want[int(offsets[b])*H:], shapedAttentionReference(seq, keep, 1, n, tc.NH, tc.HD, scale, bias, tc.R, tc.window))
			}
			withStream(t, func(s *Stream) {
				sc := NewScope(s)
				defer sc.Close()
				if !AttentionVarlenSupported(CPU, Float32, tc.HD) {
					t.Fatal("float32 packed attention is not supported on the CPU")
				}
				sh := AttentionShaping{Window: tc.window}
				if bias != nil {
					sh.Bias = sc.FromFloat32(bias, tc.NH, 2*tc.R+1)
				}
				out := sc.AttentionVarlen(sc.FromFloat32(qkv, rows, 3*H), sc.FromInt32(offsets, len(offsets)), tc.NH, float32(scale), longest, tokens, sh)
				got, err := out.Float32s(s)
				if err != nil {
					t.Fatal(err)
				}
				assertClose(t, got, want, 2e-6)
			})
		})
	}
}

func TestAttentionVarlenClampsOffsets(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	const rows, NH, HD = 5, 2, 8
	H := NH * HD
	qkv := randomFloats(r, rows*3*H, 1)
	scale := 1 / math.Sqrt(HD)
	want := make([]float64, rows*H)
	for _, seq := range [][2]int{{0, 3}, {3, 5}} { // offsets [0 3 9] read as [0 3 5]
		n := seq[1] - seq[0]
		keep := make([]float32, n)
		for i := range keep {
			keep[i] = 1
		}
		copy(want[seq[0]*H:], attentionReference(qkv[seq[0]*3*H:seq[1]*3*H], keep, 1, n, NH, HD, scale))
	}
	withStream(t, func(s *Stream) {
		sc := NewScope(s)
		defer sc.Close()
		out := sc.AttentionVarlen(sc.FromFloat32(qkv, rows, 3*H), sc.FromInt32([]int32{0, 3, 9}, 3), NH, float32(scale), 6, 9, AttentionShaping{})
		got, err := out.Float32s(s)
		if err != nil {
			t.Fatal(err)
		}
		assertClose(t, got, want, 2e-6)
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
