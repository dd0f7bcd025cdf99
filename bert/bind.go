package bert

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/bertbatch/bertbatch/bert/checkpoint"
	"github.com/bertbatch/bertbatch/mlx"
)

// binder turns checkpoint tensors into the model's MLX arrays, checking each shape and
// collecting every missing or misshapen tensor so that one error lists them all.
type binder struct {
	tensors  map[string]checkpoint.Tensor // by canonical name
	stored   map[string]string            // canonical name -> name as stored
	used     map[string]bool
	problems []string
	dtype    mlx.Dtype
	sc       *mlx.Scope
	arrays   []*mlx.Array // created and kept; evaluated together at the end
	// random, when set, makes up every tensor asked for (Options.RandomInit): biases 0, norm
	// scales 1, everything else normal(0, 0.02), as transformers initialises a fresh model.
	random *rand.Rand
}

func newBinder(ck *checkpoint.Checkpoint, dtype mlx.Dtype, sc *mlx.Scope) *binder {
	b := &binder{tensors: map[string]checkpoint.Tensor{}, stored: map[string]string{}, used: map[string]bool{}, dtype: dtype, sc: sc}
	canonical := hfName
	if ck.Format == checkpoint.FormatNPZ {
		canonical = canonicalName
	}
	for name, t := range ck.Tensors {
		if canon, ok := canonical(name); ok {
			b.tensors[canon] = t
			b.stored[canon] = name
		}
	}
	return b
}

// newRandomBinder is a binder that makes up every tensor (see binder.random).
func newRandomBinder(seed uint64, dtype mlx.Dtype, sc *mlx.Scope) *binder {
	b := newBinder(&checkpoint.Checkpoint{Tensors: map[string]checkpoint.Tensor{}}, dtype, sc)
	b.random = rand.New(rand.NewPCG(seed, 0x5eed))
	return b
}

func (b *binder) has(name string) bool { _, ok := b.tensors[name]; return ok || b.random != nil }

// makeUp is a random tensor for name (see binder.random).
func (b *binder) makeUp(name string, shape []int) checkpoint.Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	v := make([]float32, n)
	module := strings.TrimSuffix(name, ".weight")
	norm := module != name && (strings.Contains(strings.ToLower(module), "norm") || strings.HasSuffix(module, "_ln")) // Jina's emb_ln
	for i := range v {
		switch {
		case strings.HasSuffix(name, ".bias"):
		case norm:
			v[i] = 1
		default:
			v[i] = float32(b.random.NormFloat64() * 0.02)
		}
	}
	return checkpoint.Tensor{DType: checkpoint.F32, Shape: shape, Data: float32Bytes(v)}
}

// zeros is a tensor of zeros, the bias of a layer the checkpoint has none for (ModernBERT's
// norm_bias, attention_bias and mlp_bias false), so that every layer runs the same kernels.
func (b *binder) zeros(shape ...int) *mlx.Array {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return b.upload(checkpoint.F32, make([]byte, 4*n), shape)
}

// derived keeps an array computed from bound ones, to be evaluated with them.
func (b *binder) derived(a *mlx.Array) *mlx.Array {
	if a != nil {
		b.arrays = append(b.arrays, b.sc.Keep(a))
	}
	return a
}

// host returns the tensor's data checked against shape, or records a problem.
func (b *binder) host(name string, shape ...int) (checkpoint.Tensor, bool) {
	if _, ok := b.tensors[name]; !ok && b.random != nil {
		b.tensors[name], b.stored[name] = b.makeUp(name, shape), name
	}
	t, ok := b.tensors[name]
	if !ok {
		b.problems = append(b.problems, fmt.Sprintf("missing %s %v", name, shape))
		return t, false
	}
	b.used[name] = true
	if !equalInts(t.Shape, shape) {
		b.problems = append(b.problems, fmt.Sprintf("%s has shape %v, want %v", b.stored[name], t.Shape, shape))
		return t, false
	}
	switch t.DType {
	case checkpoint.F32, checkpoint.F16, checkpoint.BF16, checkpoint.F64:
	default:
		b.problems = append(b.problems, fmt.Sprintf("%s has dtype %s, want a float type", b.stored[name], t.DType))
		return t, false
	}
	return t, true
}

// tensor binds one tensor, cast to the compute dtype.
func (b *binder) tensor(name string, shape ...int) *mlx.Array {
	t, ok := b.host(name, shape...)
	if !ok {
		return nil
	}
	return b.upload(t.DType, t.Data, shape)
}

// stacked binds several tensors of one shape concatenated along their first axis. Every tensor is
// checked, so that one error lists all the problems among them.
func (b *binder) stacked(names []string, shape ...int) *mlx.Array {
	var data []byte
	var dt checkpoint.DType
	var first string // the tensor dt came from
	good := true
	for _, n := range names {
		t, ok := b.host(n, shape...)
		if !ok {
			good = false
			continue
		}
		if dt != "" && t.DType != dt {
			b.problems = append(b.problems, fmt.Sprintf("%s is %s while %s is %s", b.stored[n], t.DType, b.stored[first], dt))
			good = false
			continue
		}
		dt, first = t.DType, n
		data = append(data, t.Data...)
	}
	if !good {
		return nil
	}
	out := append([]int{shape[0] * len(names)}, shape[1:]...)
	return b.upload(dt, data, out)
}

func (b *binder) upload(dt checkpoint.DType, data []byte, shape []int) *mlx.Array {
	var md mlx.Dtype
	switch dt {
	case checkpoint.F32:
		md = mlx.Float32
	case checkpoint.F16:
		md = mlx.Float16
	case checkpoint.BF16:
		md = mlx.BFloat16
	case checkpoint.F64:
		md, data = mlx.Float32, f64ToF32(data)
	}
	a := b.sc.Own(must(mlx.FromBytes(data, md, shape...))(b.sc))
	if a == nil {
		return nil
	}
	if md != b.dtype {
		a = b.sc.AsType(a, b.dtype)
	}
	if a != nil {
		b.arrays = append(b.arrays, b.sc.Keep(a))
	}
	return a
}

func float32Bytes(v []float32) []byte {
	data := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(data[4*i:], math.Float32bits(x))
	}
	return data
}

// err reports every problem at once, or nil.
func (b *binder) err(file string) error {
	if len(b.problems) == 0 {
		return b.sc.Err()
	}
	sort.Strings(b.problems)
	return fmt.Errorf("%s: %d tensor problem(s); the weights do not match config.json (are the files from one model, and complete?):\n  %s",
		file, len(b.problems), strings.Join(b.problems, "\n  "))
}

// evaluate materialises every bound array once, so that all workers share plain data.
func (b *binder) evaluate() error {
	if err := b.sc.Err(); err != nil {
		return err
	}
	return mlx.Eval(b.arrays...)
}

func must(a *mlx.Array, err error) func(*mlx.Scope) *mlx.Array {
	return func(sc *mlx.Scope) *mlx.Array {
		if err != nil {
			sc.Fail(err)
			return nil
		}
		return a
	}
}

func f64ToF32(data []byte) []byte {
	out := make([]byte, len(data)/2)
	for i := 0; i < len(data)/8; i++ {
		v := math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
		binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(float32(v)))
	}
	return out
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
