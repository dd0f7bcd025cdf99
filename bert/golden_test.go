package bert

import (
	"fmt"
	"math"
	"sort"
	"testing"

	"github.com/bertbatch/bertbatch/bert/internal/golden"
	"github.com/bertbatch/bertbatch/mlx"
)

// The golden tests compare the engine with the outputs transformers and sentence-transformers
// gave for the same token ids (testdata/golden, written by testdata/gen_models.py). Each check logs
// its max |Δ|, min cosine and largest norm error, so `go test -v -run Golden ./bert/` prints the parity figures.

// tolerance bounds a comparison; a zero field is not checked.
type tolerance struct {
	maxAbs  float64 // largest allowed |Δ| of any element
	minCos  float64 // smallest allowed cosine similarity of any row (or token) vector
	maxNorm float64 // largest allowed |‖got‖/‖want‖ − 1| of any row (or token) vector
}

// diff is what one comparison measured, in the terms of tolerance.
type diff struct {
	maxAbs, minCos, maxNorm float64
}

// add takes one vector pair into d.
func (d *diff) add(got, want []float32) {
	d.maxAbs = math.Max(d.maxAbs, maxAbsDiff(got, want))
	d.minCos = math.Min(d.minCos, cosine(got, want))
	d.maxNorm = math.Max(d.maxNorm, math.Abs(norm(got)/norm(want)-1))
}

var (
	// fp32Tol is the float32 bound, used for every output.
	fp32Tol = tolerance{maxAbs: 1e-4, minCos: 0.99999}
	// halfTol is the bound for float16 and bfloat16 runs against the float32 reference: the
	// issue's cosine, and a norm within 3% (a cosine alone misses a wrong scale; bfloat16's 8-bit
	// mantissa puts single token vectors of MiniLM 1% off).
	halfTol = tolerance{minCos: 0.999, maxNorm: 0.03}
	// logitTol bounds head outputs, which may be single numbers (regression), by |Δ| only.
	logitTol = tolerance{maxAbs: 1e-4}
)

// dtypes are the compute dtypes every golden model runs in, with their bounds.
var dtypes = []struct {
	dtype mlx.Dtype
	tol   tolerance
}{
	{mlx.Float32, fp32Tol},
	{mlx.Float16, halfTol},
	{mlx.BFloat16, halfTol},
}

// loadCase reads one golden file by name ("tiny-bert.json").
func loadCase(t testing.TB, name string) *golden.Case {
	t.Helper()
	c, err := golden.Load(golden.Path(name))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// loadModel loads a model folder and closes it when the test ends.
func loadModel(t testing.TB, dir string, opts Options) *Model {
	t.Helper()
	m, err := LoadDir(dir, opts)
	if err != nil {
		t.Fatalf("loading %s: %v", dir, err)
	}
	t.Cleanup(m.Close)
	return m
}

// layouts are the two ways a golden batch is fed: as stored (padded, with the attention mask),
// and with each row cut to its attended tokens and padded by the engine, in batches of rows of
// similar length as a pipeline sends them.
var layouts = []layout{
	{"padded", runPadded},
	{"unpadded", runUnpadded},
}

// layout is one way of feeding a golden batch to the engine.
type layout struct {
	name string
	run  func(t testing.TB, m *Model, want *golden.Batch) *outputs
}

// bucketTokens bounds rows × longest row of one unpadded batch.
const bucketTokens = 1024

func runPadded(t testing.TB, m *Model, want *golden.Batch) *outputs {
	return runGolden(t, m, paddedBatch(want.Inputs), want)
}

func runUnpadded(t testing.TB, m *Model, want *golden.Batch) *outputs {
	t.Helper()
	var parts []*outputs
	var order []int
	for _, idx := range lengthBuckets(want.Inputs, bucketTokens) {
		rows := make([]golden.Row, len(idx))
		for k, i := range idx {
			rows[k] = want.Inputs[i]
		}
		parts = append(parts, runGolden(t, m, unpaddedBatch(t, rows), want))
		order = append(order, idx...)
	}
	return mergeOutputs(parts, order)
}

// lengthBuckets groups row indices by attended length, shortest first, so that no group's rows ×
// longest row exceeds budget (a longer row goes alone).
func lengthBuckets(rows []golden.Row, budget int) [][]int {
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return rows[idx[a]].Len() < rows[idx[b]].Len() })
	var out [][]int
	for _, i := range idx {
		if n := len(out); n > 0 && (len(out[n-1])+1)*rows[i].Len() <= budget {
			out[n-1] = append(out[n-1], i)
			continue
		}
		out = append(out, []int{i})
	}
	return out
}

// paddedBatch is the golden rows as they are, attention masks included.
func paddedBatch(rows []golden.Row) *Batch {
	b := &Batch{}
	for _, r := range rows {
		b.InputIDs = append(b.InputIDs, r.InputIDs)
		b.TokenTypeIDs = append(b.TokenTypeIDs, r.TokenTypeIDs)
		b.AttentionMask = append(b.AttentionMask, r.AttentionMask)
	}
	return b
}

// unpaddedBatch is the golden rows cut to their attended tokens, with no attention mask.
func unpaddedBatch(t testing.TB, rows []golden.Row) *Batch {
	t.Helper()
	b := &Batch{}
	for i, r := range rows {
		n := r.Len()
		for j, m := range r.AttentionMask {
			if (j < n) != (m == 1) {
				t.Fatalf("golden row %d is not right-padded: attention_mask %v", i, r.AttentionMask)
			}
		}
		b.InputIDs = append(b.InputIDs, r.InputIDs[:n])
		b.TokenTypeIDs = append(b.TokenTypeIDs, r.TokenTypeIDs[:n])
	}
	return b
}

// outputs are the engine's results for one batch, shaped as in the golden files.
type outputs struct {
	lastHidden    [][][]float32 // [row][position][hidden], positions of the engine's padded batch
	poolerOutput  [][]float32
	pooled        map[string][][]float32
	sentence      [][]float32
	logits        [][]float32
	probabilities [][]float32
	labels        []golden.Labels
}

// runGolden runs the model on b and reads back the outputs that want (a golden batch) holds.
// It stops the test on the first failure.
func runGolden(t testing.TB, m *Model, b *Batch, want *golden.Batch) *outputs {
	t.Helper()
	out := &outputs{pooled: map[string][][]float32{}}
	onWorkerOrStop(t, func(s *mlx.Stream) {
		sc := mlx.NewScope(s)
		defer sc.Close()
		e, err := m.Forward(sc, b)
		if err != nil {
			t.Fatalf("forward: %v", err)
		}
		rows := len(b.InputIDs)
		ok := func(a *mlx.Array, err error) *mlx.Array {
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		read := func(what string, a *mlx.Array) [][]float32 {
			if a == nil {
				t.Fatalf("%s: the engine gives none, the reference has one", what)
			}
			flat, err := sc.AsType(a, mlx.Float32).Float32s(s)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			return splitRows(flat, rows)
		}
		if want.LastHiddenState != nil {
			shape, err := e.LastHidden.Shape()
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range read("last_hidden_state", e.LastHidden) {
				out.lastHidden = append(out.lastHidden, splitRows(r, shape[1]))
			}
		}
		if want.PoolerOutput != nil {
			out.poolerOutput = read("pooler_output", m.PoolerOutput(sc, e))
		}
		off := false
		for mode := range want.Pooled {
			out.pooled[mode] = read("pooled."+mode, ok(m.Pool(sc, e, EmbedOptions{Pooling: Pooling(mode), Normalize: &off})))
		}
		if want.SentenceEmbedding != nil {
			out.sentence = read("sentence_embedding", ok(m.Pool(sc, e, EmbedOptions{})))
		}
		if want.Logits != nil {
			out.logits = read("logits", ok(m.Logits(sc, e)))
		}
	})
	if want.Probabilities != nil || want.Labels != nil {
		out.classify(t, m, b)
	}
	return out
}

// classify fills probabilities and labels from Model.Classify.
func (o *outputs) classify(t testing.TB, m *Model, b *Batch) {
	t.Helper()
	onWorkerOrStop(t, func(s *mlx.Stream) {
		sc := mlx.NewScope(s)
		defer sc.Close()
		preds, err := m.Classify(sc, b)
		if err != nil {
			t.Fatalf("classify: %v", err)
		}
		for _, p := range preds {
			o.probabilities = append(o.probabilities, p.Probabilities)
			if m.Head == HeadMultilabel {
				o.labels = append(o.labels, golden.Labels(p.Labels))
			} else {
				o.labels = append(o.labels, golden.Labels{p.Label})
			}
		}
	})
}

// onWorkerOrStop is onWorker that stops the test when f does not return (t.Fatal on the worker
// goroutine ends only that goroutine).
func onWorkerOrStop(t testing.TB, f func(s *mlx.Stream)) {
	t.Helper()
	returned := false
	onWorker(t, func(s *mlx.Stream) {
		f(s)
		returned = true
	})
	if !returned {
		t.FailNow()
	}
}

// checkOutputs compares every output the golden batch holds with tol (head outputs with
// logitTol), logging the figures under label. The golden inputs' masks select the positions of
// last_hidden_state that are compared.
func checkOutputs(t testing.TB, label string, got *outputs, want *golden.Batch, tol tolerance) {
	t.Helper()
	if want.LastHiddenState != nil {
		report(t, label, "last_hidden_state", hiddenDiff(t, got.lastHidden, want.LastHiddenState, want.Inputs), tol)
	}
	vectors := []struct {
		name      string
		got, want [][]float32
		tol       tolerance
	}{
		{"pooler_output", got.poolerOutput, want.PoolerOutput, tol},
		{"sentence_embedding", got.sentence, want.SentenceEmbedding, tol},
		{"logits", got.logits, want.Logits, logitTol},
		{"probabilities", got.probabilities, want.Probabilities, logitTol},
	}
	for _, mode := range []string{"cls", "mean", "max", "mean_sqrt_len"} {
		if want.Pooled[mode] != nil {
			vectors = append(vectors, struct {
				name      string
				got, want [][]float32
				tol       tolerance
			}{"pooled." + mode, got.pooled[mode], want.Pooled[mode], tol})
		}
	}
	for _, v := range vectors {
		if v.want == nil {
			continue
		}
		report(t, label, v.name, vectorDiff(t, v.name, v.got, v.want), v.tol)
	}
	if want.Labels != nil && tol == fp32Tol {
		checkLabels(t, got.labels, want.Labels)
	}
}

// report logs one comparison and fails it when it is out of bounds.
func report(t testing.TB, label, output string, d diff, tol tolerance) {
	t.Helper()
	t.Logf("%-34s %-22s max|Δ| %.2e  min cos %.8f  norm err %.1e", label, output, d.maxAbs, d.minCos, d.maxNorm)
	if tol.maxAbs > 0 && !(d.maxAbs <= tol.maxAbs) {
		t.Errorf("%s %s: max |Δ| %.3g > %.3g", label, output, d.maxAbs, tol.maxAbs)
	}
	if tol.minCos > 0 && !(d.minCos >= tol.minCos) {
		t.Errorf("%s %s: min cosine %.8f < %.8f", label, output, d.minCos, tol.minCos)
	}
	if tol.maxNorm > 0 && !(d.maxNorm <= tol.maxNorm) {
		t.Errorf("%s %s: a vector's norm is off by %.3g > %.3g", label, output, d.maxNorm, tol.maxNorm)
	}
}

func checkLabels(t testing.TB, got, want []golden.Labels) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("labels: %d rows, want %d", len(got), len(want))
	}
	same := 0
	for i := range want {
		if fmt.Sprint([]string(got[i])) != fmt.Sprint([]string(want[i])) {
			t.Errorf("labels row %d: got %q, want %q", i, got[i], want[i])
		} else {
			same++
		}
	}
	t.Logf("labels: %d of %d rows equal", same, len(want))
}

// vectorDiff compares two [row][value] outputs row by row.
func vectorDiff(t testing.TB, name string, got, want [][]float32) diff {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", name, len(got), len(want))
	}
	d := diff{minCos: 1}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Fatalf("%s row %d: %d values, want %d", name, i, len(got[i]), len(want[i]))
		}
		d.add(got[i], want[i])
	}
	return d
}

// hiddenDiff compares last_hidden_state token vector by token vector at the attended positions of
// each golden row. want may cover fewer rows and positions than got.
func hiddenDiff(t testing.TB, got, want [][][]float32, rows []golden.Row) diff {
	t.Helper()
	if len(got) < len(want) {
		t.Fatalf("last_hidden_state: %d rows, want at least %d", len(got), len(want))
	}
	d := diff{minCos: 1}
	compared := 0
	for i := range want {
		for j, m := range rows[i].AttentionMask {
			if m == 0 || j >= len(want[i]) {
				continue
			}
			if j >= len(got[i]) {
				t.Fatalf("last_hidden_state row %d: %d positions, want position %d", i, len(got[i]), j)
			}
			d.add(got[i][j], want[i][j])
			compared++
		}
	}
	if compared == 0 {
		t.Fatal("last_hidden_state: no attended position to compare")
	}
	return d
}

func maxAbsDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(float64(a[i])-float64(b[i])))
	}
	return d
}

// norm is the Euclidean norm, in float64.
func norm(a []float32) float64 {
	var aa float64
	for _, x := range a {
		aa += float64(x) * float64(x)
	}
	return math.Sqrt(aa)
}

// cosine is computed in float64; NaN anywhere gives NaN, which fails every bound.
func cosine(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		ab, aa, bb = ab+x*y, aa+x*x, bb+y*y
	}
	return ab / math.Sqrt(aa*bb)
}

// goldenEncoders are the golden files of bare encoders with a sentence-transformers pipeline, one
// per architecture.
var goldenEncoders = []string{"tiny-bert", "tiny-distilbert", "tiny-roberta", "tiny-mpnet", "tiny-modernbert", "tiny-jina"}

// TestGoldenEncoders runs every golden encoder in every dtype, on the golden batch padded and
// unpadded, against transformers' last_hidden_state and pooler_output and sentence-transformers'
// pooling modes and sentence_embedding.
func TestGoldenEncoders(t *testing.T) {
	for _, name := range goldenEncoders {
		c := loadCase(t, name+".json")
		for _, dt := range dtypes {
			m := loadModel(t, c.ModelDir, Options{Dtype: dt.dtype})
			if m.Pooling == nil || string(m.Pooling.Modes[0]) != c.PoolingMode || m.Pooling.Normalize != c.Normalize {
				t.Fatalf("%s: pooling %+v, want mode %s, normalize %v", name, m.Pooling, c.PoolingMode, c.Normalize)
			}
			for _, l := range layouts {
				label := fmt.Sprintf("%s/%s/%s", name, dt.dtype, l.name)
				t.Run(label, func(t *testing.T) {
					got := l.run(t, m, &c.Batch)
					checkOutputs(t, label, got, &c.Batch, dt.tol)
				})
			}
		}
	}
}

// row is one row of o, as a one-row outputs.
func (o *outputs) row(i int) *outputs {
	pick := func(v [][]float32) [][]float32 {
		if v == nil {
			return nil
		}
		return v[i : i+1]
	}
	r := &outputs{pooled: map[string][][]float32{}, poolerOutput: pick(o.poolerOutput), sentence: pick(o.sentence),
		logits: pick(o.logits), probabilities: pick(o.probabilities)}
	if o.lastHidden != nil {
		r.lastHidden = o.lastHidden[i : i+1]
	}
	if o.labels != nil {
		r.labels = o.labels[i : i+1]
	}
	for mode, v := range o.pooled {
		r.pooled[mode] = pick(v)
	}
	return r
}

// asGolden turns outputs for inputs into a golden batch, to compare two engine runs.
func (o *outputs) asGolden(inputs []golden.Row) *golden.Batch {
	b := &golden.Batch{Inputs: inputs, LastHiddenState: o.lastHidden, PoolerOutput: o.poolerOutput, SentenceEmbedding: o.sentence,
		Logits: o.logits, Probabilities: o.probabilities, Labels: o.labels}
	if len(o.pooled) > 0 {
		b.Pooled = o.pooled
	}
	return b
}

// mergeOutputs joins the outputs of batches whose rows were order[k] of the whole, back in the
// whole's order.
func mergeOutputs(parts []*outputs, order []int) *outputs {
	cat := &outputs{pooled: map[string][][]float32{}}
	for _, p := range parts {
		cat.lastHidden = append(cat.lastHidden, p.lastHidden...)
		cat.poolerOutput = append(cat.poolerOutput, p.poolerOutput...)
		cat.sentence = append(cat.sentence, p.sentence...)
		cat.logits = append(cat.logits, p.logits...)
		cat.probabilities = append(cat.probabilities, p.probabilities...)
		cat.labels = append(cat.labels, p.labels...)
		for mode, v := range p.pooled {
			cat.pooled[mode] = append(cat.pooled[mode], v...)
		}
	}
	out := &outputs{pooled: map[string][][]float32{}}
	place := func(v [][]float32) [][]float32 {
		if v == nil {
			return nil
		}
		r := make([][]float32, len(order))
		for k, i := range order {
			r[i] = v[k]
		}
		return r
	}
	if cat.lastHidden != nil {
		out.lastHidden = make([][][]float32, len(order))
		for k, i := range order {
			out.lastHidden[i] = cat.lastHidden[k]
		}
	}
	if cat.labels != nil {
		out.labels = make([]golden.Labels, len(order))
		for k, i := range order {
			out.labels[i] = cat.labels[k]
		}
	}
	out.poolerOutput, out.sentence = place(cat.poolerOutput), place(cat.sentence)
	out.logits, out.probabilities = place(cat.logits), place(cat.probabilities)
	for mode, v := range cat.pooled {
		out.pooled[mode] = place(v)
	}
	return out
}

// firstRows is the golden batch cut to its first n rows.
func firstRows(b *golden.Batch, n int) *golden.Batch {
	cut := func(v [][]float32) [][]float32 {
		if v == nil {
			return nil
		}
		return v[:n]
	}
	r := &golden.Batch{Inputs: b.Inputs[:n], PoolerOutput: cut(b.PoolerOutput), SentenceEmbedding: cut(b.SentenceEmbedding),
		Logits: cut(b.Logits), Probabilities: cut(b.Probabilities)}
	if b.LastHiddenState != nil {
		r.LastHiddenState = b.LastHiddenState[:min(n, len(b.LastHiddenState))]
	}
	if b.Labels != nil {
		r.Labels = b.Labels[:n]
	}
	if b.Pooled != nil {
		r.Pooled = map[string][][]float32{}
		for mode, v := range b.Pooled {
			r.Pooled[mode] = v[:n]
		}
	}
	return r
}
