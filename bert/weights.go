package bert

import (
	"fmt"
	"math/rand/v2"

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
}

// classifierWeights are a sequence-classification head.
type classifierWeights struct {
	pre *linear // BERT: pooler; DistilBERT: pre_classifier (+ReLU); RoBERTa: classifier.dense (+tanh)
	out linear
}

func (w *weights) all() []*mlx.Array {
	var out []*mlx.Array
	add := func(l *linear) {
		if l != nil {
			out = append(out, l.w, l.b, l.scales, l.qbias)
		}
	}
	out = append(out, w.word, w.pos, w.typ, w.embedNorm.w, w.embedNorm.b)
	for i := range w.layers {
		l := &w.layers[i]
		add(&l.qkv)
		add(&l.out)
		add(&l.up)
		add(&l.down)
		out = append(out, l.attnNorm.w, l.attnNorm.b, l.outNorm.w, l.outNorm.b)
	}
	add(w.pooler)
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

// bindWeights binds every tensor the architecture needs from b.
func bindWeights(c *Config, b *binder, head HeadType) *weights {
	n := namesFor(c.Arch)
	H, I := c.HiddenSize, c.IntermediateSize
	w := &weights{
		word:      b.tensor(n.wordEmb+".weight", c.VocabSize, H),
		pos:       b.tensor(n.posEmb+".weight", c.MaxPositionEmbeddings, H),
		embedNorm: b.norm(n.embedNorm, H),
	}
	if c.Arch != ArchDistilBERT {
		w.typ = b.tensor(n.typeEmb+".weight", c.TypeVocabSize, H)
	}
	for i := 0; i < c.NumHiddenLayers; i++ {
		p := fmt.Sprintf("%s.%d.", n.prefix, i)
		w.layers = append(w.layers, layer{
			qkv: linear{
				w: b.stacked([]string{p + n.query + ".weight", p + n.key + ".weight", p + n.value + ".weight"}, H, H),
				b: b.stacked([]string{p + n.query + ".bias", p + n.key + ".bias", p + n.value + ".bias"}, H),
			},
			out:      b.linear(p+n.attnOut, H, H),
			attnNorm: b.norm(p+n.attnNorm, H),
			up:       b.linear(p+n.up, I, H),
			down:     b.linear(p+n.down, H, I),
			outNorm:  b.norm(p+n.outNorm, H),
		})
	}
	if c.Arch == ArchBERT && b.has("pooler.dense.weight") {
		pl := b.linear("pooler.dense", H, H)
		w.pooler = &pl
	}
	if head != HeadNone {
		w.head = bindHead(c, b, w)
	}
	return w
}

func bindHead(c *Config, b *binder, w *weights) *classifierWeights {
	labels := c.NumLabels()
	if t, ok := b.tensors["classifier.weight"]; ok && len(t.Shape) == 2 {
		labels = t.Shape[0]
	} else if t, ok := b.tensors["classifier.out_proj.weight"]; ok && len(t.Shape) == 2 {
		labels = t.Shape[0]
	}
	H := c.HiddenSize
	if labels == 0 {
		b.problems = append(b.problems, "no sequence-classification head: config.json has no id2label and the checkpoint no classifier weights (it is a bare encoder); load it without a head")
		return nil
	}
	switch c.Arch {
	case ArchDistilBERT:
		pre := b.linear("pre_classifier", H, H)
		return &classifierWeights{pre: &pre, out: b.linear("classifier", labels, H)}
	case ArchRoBERTa, ArchXLMRoBERTa:
		pre := b.linear("classifier.dense", H, H)
		return &classifierWeights{pre: &pre, out: b.linear("classifier.out_proj", labels, H)}
	default:
		if w.pooler == nil {
			b.problems = append(b.problems, fmt.Sprintf("missing pooler.dense.weight %v (a BERT classification head reads the pooler)", []int{H, H}))
		}
		return &classifierWeights{pre: w.pooler, out: b.linear("classifier", labels, H)}
	}
}

func (b *binder) linear(name string, out, in int) linear {
	return linear{w: b.tensor(name+".weight", out, in), b: b.tensor(name+".bias", out)}
}

func (b *binder) norm(name string, dim int) layerNorm {
	return layerNorm{w: b.tensor(name+".weight", dim), b: b.tensor(name+".bias", dim)}
}

// randomCheckpoint fills a binder with normal(0, 0.02) matrices, zero biases and unit norms,
// as transformers initialises a fresh model. Used only when Options.RandomInit is set.
func randomCheckpoint(c *Config, b *binder, head HeadType, seed uint64) *weights {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	normal := func(shape ...int) *mlx.Array {
		n := 1
		for _, d := range shape {
			n *= d
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.NormFloat64() * 0.02)
		}
		return b.fromFloat32(v, shape)
	}
	lin := func(out, in int) linear { return linear{w: normal(out, in), b: b.constant(0, out)} }
	norm := func(d int) layerNorm { return layerNorm{w: b.constant(1, d), b: b.constant(0, d)} }
	H, I := c.HiddenSize, c.IntermediateSize
	w := &weights{word: normal(c.VocabSize, H), pos: normal(c.MaxPositionEmbeddings, H), embedNorm: norm(H)}
	if c.Arch != ArchDistilBERT {
		w.typ = normal(c.TypeVocabSize, H)
	}
	for i := 0; i < c.NumHiddenLayers; i++ {
		w.layers = append(w.layers, layer{qkv: lin(3*H, H), out: lin(H, H), attnNorm: norm(H), up: lin(I, H), down: lin(H, I), outNorm: norm(H)})
	}
	if c.Arch == ArchBERT {
		p := lin(H, H)
		w.pooler = &p
	}
	if head != HeadNone {
		labels := max(c.NumLabels(), 1)
		if c.Arch == ArchBERT {
			w.head = &classifierWeights{pre: w.pooler, out: lin(labels, H)}
		} else {
			pre := lin(H, H)
			w.head = &classifierWeights{pre: &pre, out: lin(labels, H)}
		}
	}
	return w
}
