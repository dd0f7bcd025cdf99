package bert

import (
	"fmt"

	"github.com/bertbatch/bertbatch/mlx"
)

// linear is y = x·Wᵀ + b with W stored [out, in] as in PyTorch. When quantized, W is packed and
// scales/biases hold the affine quantization parameters.
type linear struct {
	w, b            *mlx.Array
	scales, qbias   *mlx.Array
	groupSize, bits int
}

type layerNorm struct{ w, b *mlx.Array }

// layer is one transformer block with its query, key and value projections fused.
type layer struct {
	qkv, out, up, down linear
	attnNorm, outNorm  layerNorm
}

// weights are every array of a model, evaluated once and shared by all workers.
type weights struct {
	word, pos, typ *mlx.Array
	embedNorm      layerNorm
	layers         []layer
	pooler         *linear // BERT's pooler (dense + tanh on the first token), when present
	head           *classifierWeights
	relBias        *mlx.Array // [heads, 2R+1] relative position bias by clamped distance (MPNet)
	finalNorm      *layerNorm // ModernBERT's final_norm
}

// classifierWeights are a sequence-classification head: out(norm(preAct(pre(x)))), x the first
// token, or the mask-aware mean of the tokens when meanPool is set.
type classifierWeights struct {
	pre      *linear    // BERT: pooler; DistilBERT: pre_classifier; RoBERTa, MPNet, Jina v3: classifier.dense; ModernBERT: head.dense
	preAct   string     // an activation name: "tanh", "relu", "gelu", …
	norm     *layerNorm // ModernBERT: head.norm; nil elsewhere
	out      linear
	meanPool bool // ModernBERT's classifier_pooling "mean"
}

func (w *weights) all() []*mlx.Array {
	var out []*mlx.Array
	add := func(l *linear) {
		if l != nil {
			out = append(out, l.w, l.b, l.scales, l.qbias)
		}
	}
	out = append(out, w.word, w.pos, w.typ, w.embedNorm.w, w.embedNorm.b, w.relBias)
	for i := range w.layers {
		l := &w.layers[i]
		add(&l.qkv)
		add(&l.out)
		add(&l.up)
		add(&l.down)
		out = append(out, l.attnNorm.w, l.attnNorm.b, l.outNorm.w, l.outNorm.b)
	}
	add(w.pooler)
	if w.finalNorm != nil {
		out = append(out, w.finalNorm.w, w.finalNorm.b)
	}
	if w.head != nil {
		add(w.head.pre)
		add(&w.head.out)
	}
	return out
}

func (w *weights) close() {
	for _, a := range w.all() {
		a.Close()
	}
}

// bindWeights binds every tensor the model's family needs from b.
func bindWeights(c *Config, b *binder, head HeadType) *weights {
	f := familyOf(c.Arch)
	if f.bind != nil {
		return f.bind(c, b, head)
	}
	n := spelling(f, b)
	H, I := c.HiddenSize, c.IntermediateSize
	w := &weights{word: b.tensor(n.wordEmb+".weight", c.VocabSize, H), embedNorm: b.norm(n.embedNorm, H)}
	if n.posEmb != "" {
		w.pos = b.tensor(n.posEmb+".weight", c.MaxPositionEmbeddings, H)
	}
	if c.UsesTokenTypes() {
		w.typ = b.tensor(n.typeEmb+".weight", c.TypeVocabSize, H)
	}
	for i := 0; i < c.NumHiddenLayers; i++ {
		p := fmt.Sprintf("%s.%d.", n.prefix, i)
		w.layers = append(w.layers, layer{
			qkv:      bindQKV(b, p, n, H),
			out:      b.linear(p+n.attnOut, H, H),
			attnNorm: b.norm(p+n.attnNorm, H),
			up:       b.linear(p+n.up, I, H),
			down:     b.linear(p+n.down, H, I),
			outNorm:  b.norm(p+n.outNorm, H),
		})
	}
	if f.bindExtra != nil {
		f.bindExtra(c, b, w)
	}
	if f.pooler && b.has("pooler.dense.weight") {
		pl := b.linear("pooler.dense", H, H)
		w.pooler = &pl
	}
	if head != HeadNone {
		w.head = bindHead(c, f.head, b, w)
	}
	return w
}

// spelling is the family's tensor names as the checkpoint in b spells them: names, unless the
// checkpoint lacks their first layer's attention output and one of otherNames has it.
func spelling(f *family, b *binder) layerNames {
	first := func(n layerNames) string { return n.prefix + ".0." + n.attnOut + ".weight" }
	if b.has(first(f.names)) {
		return f.names
	}
	for _, n := range f.otherNames {
		if b.has(first(n)) {
			return n
		}
	}
	return f.names // its missing tensors are the error
}

// bindQKV binds a layer's query, key and value projections as one [3·hidden, hidden] linear:
// the checkpoint's fused projection, or its three stacked.
func bindQKV(b *binder, p string, n layerNames, H int) linear {
	if n.qkv != "" {
		return b.linear(p+n.qkv, 3*H, H)
	}
	return linear{
		w: b.stacked([]string{p + n.query + ".weight", p + n.key + ".weight", p + n.value + ".weight"}, H, H),
		b: b.stacked([]string{p + n.query + ".bias", p + n.key + ".bias", p + n.value + ".bias"}, H),
	}
}

// headLabels is the number of outputs of the head whose last layer is out: its weight's rows, else
// config.json's labels. 0 (recorded as a problem) means the checkpoint has no head.
func headLabels(c *Config, b *binder, out string) int {
	labels := c.NumLabels()
	if t, ok := b.tensors[out+".weight"]; ok && len(t.Shape) == 2 {
		labels = t.Shape[0]
	}
	if b.random != nil {
		labels = max(labels, 1)
	}
	if labels == 0 {
		b.problems = append(b.problems, "no sequence-classification head: config.json has no id2label and the checkpoint no classifier weights (it is a bare encoder); load it without a head")
	}
	return labels
}

func bindHead(c *Config, hl headLayout, b *binder, w *weights) *classifierWeights {
	H, labels := c.HiddenSize, headLabels(c, b, hl.out)
	if labels == 0 {
		return nil
	}
	hd := &classifierWeights{out: b.linear(hl.out, labels, H), preAct: hl.preAct}
	if hl.pre != "" {
		pre := b.linear(hl.pre, H, H)
		hd.pre = &pre
		return hd
	}
	if w.pooler == nil {
		b.problems = append(b.problems, fmt.Sprintf("missing pooler.dense.weight %v (a BERT classification head reads the pooler)", []int{H, H}))
	}
	hd.pre = w.pooler
	return hd
}

func (b *binder) linear(name string, out, in int) linear {
	return linear{w: b.tensor(name+".weight", out, in), b: b.tensor(name+".bias", out)}
}

func (b *binder) norm(name string, dim int) layerNorm {
	return layerNorm{w: b.tensor(name+".weight", dim), b: b.tensor(name+".bias", dim)}
}
