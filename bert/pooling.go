package bert

import (
	"fmt"
	"slices"
	"strings"

	outs "github.com/bertbatch/bertbatch/bert/outputs" // golden_test.go declares a type outputs
	"github.com/bertbatch/bertbatch/mlx"
)

// Pooling is how token vectors become one sentence vector (spelled in package outputs).
type Pooling = outs.Pooling

// The pooling modes, mask-aware as in sentence-transformers.
const (
	PoolModel       = outs.PoolingModel // the checkpoint's own sentence-transformers pooling
	PoolCLS         = outs.PoolingCLS
	PoolMean        = outs.PoolingMean
	PoolMax         = outs.PoolingMax
	PoolMeanSqrtLen = outs.PoolingMeanSqrtLen
)

// PoolingConfig is a checkpoint's sentence-transformers pipeline after the transformer: the
// pooling modes, in the order sentence-transformers concatenates their vectors, and whether a
// Normalize module follows, and whether pooling takes in the prompt's tokens (include_prompt).
type PoolingConfig struct {
	Modes     []Pooling
	Normalize bool
	// IncludePrompt is false when the pooling module leaves the prompt's tokens out.
	IncludePrompt bool
}

// EmbedOptions choose the embedding a batch produces.
type EmbedOptions struct {
	// Pooling is PoolModel (default) or one mode.
	Pooling Pooling
	// Normalize: nil follows the checkpoint (2_Normalize), else forces L2 normalisation on or off.
	Normalize *bool
	// TruncateDims keeps the first k dimensions (0 = all), before any normalisation.
	TruncateDims int
	// PromptLength is the number of leading tokens of every row that belong to the prompt (see
	// PromptLength); pooling leaves them out when the model's pooling has include_prompt false.
	PromptLength int
}

// Resolve turns options into concrete modes and normalisation for this model.
func (m *Model) resolvePooling(o EmbedOptions) ([]Pooling, bool, error) {
	var modes []Pooling
	normalize := false
	switch o.Pooling {
	case "", PoolModel:
		if m.Pooling == nil {
			return nil, false, fmt.Errorf("%s has no sentence-transformers pooling (modules.json + 1_Pooling/config.json); choose a pooling: %s", m.Dir, oneOf(outs.Poolings()[1:]))
		}
		modes, normalize = m.Pooling.Modes, m.Pooling.Normalize
	default:
		if !slices.Contains(outs.Poolings(), o.Pooling) {
			return nil, false, fmt.Errorf("unknown pooling %q (want %s)", o.Pooling, oneOf(outs.Poolings()))
		}
		modes = []Pooling{o.Pooling}
		normalize = m.Pooling != nil && m.Pooling.Normalize
	}
	if o.Normalize != nil {
		normalize = *o.Normalize
	}
	return modes, normalize, nil
}

// EmbeddingDim is the size of the vectors Embed returns with these options.
func (m *Model) EmbeddingDim(o EmbedOptions) (int, error) {
	modes, _, err := m.resolvePooling(o)
	if err != nil {
		return 0, err
	}
	d := len(modes) * m.Config.HiddenSize
	if o.TruncateDims < 0 || o.TruncateDims > d {
		return 0, fmt.Errorf("truncate_dims %d is outside 1..%d", o.TruncateDims, d)
	}
	if o.TruncateDims > 0 {
		d = o.TruncateDims
	}
	return d, nil
}

// Pool builds the pooled (and optionally truncated and normalised) [rows, dim] float32 array.
func (m *Model) Pool(sc *mlx.Scope, e *Encoded, o EmbedOptions) (*mlx.Array, error) {
	modes, normalize, err := m.resolvePooling(o)
	if err != nil {
		return nil, err
	}
	dim, err := m.EmbeddingDim(o)
	if err != nil {
		return nil, err
	}
	B, H := e.p.rows, m.Config.HiddenSize
	h := sc.AsType(e.LastHidden, mlx.Float32)
	mask, first := e.Mask, (*mlx.Array)(nil)
	if m.Pooling != nil && !m.Pooling.IncludePrompt && o.PromptLength > 0 {
		mask, first = withoutPrompt(sc, e.p, o.PromptLength)
	}
	mask = sc.ExpandDims(mask, 2) // [B, L, 1]
	var parts []*mlx.Array
	for _, mode := range modes {
		if mode == PoolCLS && first != nil {
			parts = append(parts, sc.Take(sc.Reshape(h, B*e.p.length, H), first, 0))
			continue
		}
		parts = append(parts, poolOne(sc, mode, h, mask, B, H))
	}
	out := parts[0]
	if len(parts) > 1 {
		out = sc.Concatenate(1, parts...)
	}
	if o.TruncateDims > 0 {
		out = sc.Slice(out, []int{0, 0}, []int{B, dim})
	}
	if normalize {
		out = l2Normalize(sc, out)
	}
	return out, sc.Err()
}

func poolOne(sc *mlx.Scope, mode Pooling, h, mask *mlx.Array, B, H int) *mlx.Array {
	switch mode {
	case PoolCLS:
		return firstToken(sc, h, B, H)
	case PoolMax:
		// Padding set to -1e9 before the max, as sentence-transformers does.
		masked := sc.Where(sc.Greater(mask, sc.Scalar(0, mlx.Float32)), h, sc.Scalar(-1e9, mlx.Float32))
		return sc.Max(masked, 1, false)
	default:
		sum := sc.Sum(sc.Multiply(h, mask), 1, false)                             // [B, H]
		count := sc.Maximum(sc.Sum(mask, 1, false), sc.Scalar(1e-9, mlx.Float32)) // [B, 1]
		if mode == PoolMeanSqrtLen {
			return sc.Divide(sum, sc.Sqrt(count))
		}
		return sc.Divide(sum, count)
	}
}

// withoutPrompt is the pooling mask with each row's first n positions left out, as
// sentence-transformers' Pooling does with include_prompt false, and the flat index of each row's
// first pooled token (CLS pooling then takes the first token after the prompt; a row the prompt
// fills takes its position 0, as sentence-transformers' argmax over an all-zero mask does).
func withoutPrompt(sc *mlx.Scope, p *padded, n int) (mask, first *mlx.Array) {
	keep := slices.Clone(p.mask)
	index := make([]int32, p.rows)
	for r := range p.rows {
		row := keep[r*p.length : (r+1)*p.length]
		clear(row[:min(n, p.length)])
		index[r] = int32(r * p.length)
		if at := slices.Index(row, true); at >= 0 {
			index[r] += int32(at)
		}
	}
	return sc.AsType(sc.FromBool(keep, p.rows, p.length), mlx.Float32), sc.FromInt32(index, p.rows)
}

// l2Normalize divides each row by max(‖row‖, 1e-12), as torch.nn.functional.normalize.
func l2Normalize(sc *mlx.Scope, x *mlx.Array) *mlx.Array {
	norm := sc.Sqrt(sc.Sum(sc.Multiply(x, x), 1, true))
	return sc.Divide(x, sc.Maximum(norm, sc.Scalar(1e-12, mlx.Float32)))
}

// Embed runs the model on a batch and returns one vector per row.
func (m *Model) Embed(sc *mlx.Scope, b *Batch, o EmbedOptions) ([][]float32, error) {
	e, err := m.Forward(sc, b)
	if err != nil {
		return nil, err
	}
	pooled, err := m.Pool(sc, e, o)
	if err != nil {
		return nil, err
	}
	flat, err := pooled.Float32s(sc.Stream())
	if err != nil {
		return nil, err
	}
	return splitRows(flat, len(b.InputIDs)), nil
}

func splitRows(flat []float32, rows int) [][]float32 {
	out := make([][]float32, rows)
	d := len(flat) / rows
	for i := range out {
		out[i] = flat[i*d : (i+1)*d : (i+1)*d]
	}
	return out
}

// oneOf lists values for a message: "a, b or c".
func oneOf[T ~string](values []T) string {
	names := make([]string, len(values))
	for i, v := range values {
		names[i] = string(v)
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
