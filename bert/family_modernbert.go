package bert

import (
	"encoding/json"
	"fmt"

	"github.com/bertbatch/bertbatch/mlx"
)

// ModernBERT: pre-norm layers (the first without an attention norm) over token embeddings alone,
// a fused Wqkv projection, rotary position embeddings with one theta for global layers and
// another for local ones, local layers attending within a sliding window of local_attention/2
// tokens each side, a GeGLU feed-forward (Wi gives 2×intermediate; gelu of the first half times
// the second), a final norm, no token types, and biases only where norm_bias, attention_bias and
// mlp_bias say. transformers 5 spells the layer kinds layer_types (full_attention,
// sliding_attention) and the thetas rope_parameters; older configs global_attn_every_n_layers,
// global_rope_theta and local_rope_theta. Both are read. The classification head pools the first
// token or the mean (classifier_pooling), then dense, classifier_activation and a norm.

func init() {
	register(&family{arch: ArchModernBERT, configure: configureModernBERT, render: renderModernBERT,
		positions: positionsFromZero, padTokenID: 50283, bind: bindModernBERT, encode: encodeModernBERT}, "modernbert")
}

// ModernBERTConfig holds the fields only ModernBERT has.
type ModernBERTConfig struct {
	// GlobalRopeTheta and LocalRopeTheta are the rotary bases of global and local layers.
	GlobalRopeTheta, LocalRopeTheta float64
	// LocalAttention is the local layers' window, both sides together (local_attention).
	LocalAttention int
	// Sliding says, per layer, whether it attends within the window (sliding_attention).
	Sliding []bool
	// NormBias, AttentionBias and MLPBias say which layers have biases.
	NormBias, AttentionBias, MLPBias bool
	// ClassifierPooling ("cls" or "mean"), ClassifierActivation and ClassifierBias shape
	// ModernBertForSequenceClassification's head.
	ClassifierPooling, ClassifierActivation string
	ClassifierBias                          bool
}

func configureModernBERT(r *fieldReader, c *Config) {
	c.HiddenSize = r.int("hidden_size", true)
	c.NumHiddenLayers = r.int("num_hidden_layers", true)
	c.NumAttentionHeads = r.int("num_attention_heads", true)
	c.IntermediateSize = r.int("intermediate_size", true)
	c.HiddenAct = r.str("hidden_activation", "gelu")
	c.LayerNormEps = 1e-5
	if _, ok := r.raw["norm_eps"]; ok {
		c.LayerNormEps = r.float("norm_eps", true)
	}
	if !(c.LayerNormEps > 0 && c.LayerNormEps < 1) && !r.failed("norm_eps") {
		r.fail("norm_eps", fmt.Sprintf("must be in (0, 1), got %g", c.LayerNormEps))
	}
	mb := &ModernBERTConfig{NormBias: r.bool("norm_bias", false), AttentionBias: r.bool("attention_bias", false),
		MLPBias: r.bool("mlp_bias", false), LocalAttention: 128}
	if _, ok := r.raw["local_attention"]; ok {
		mb.LocalAttention = r.int("local_attention", true)
	}
	if mb.LocalAttention < 2 && !r.failed("local_attention") {
		r.fail("local_attention", fmt.Sprintf("must be at least 2, got %d", mb.LocalAttention))
	}
	mb.ClassifierPooling = r.str("classifier_pooling", "cls")
	if mb.ClassifierPooling != "cls" && mb.ClassifierPooling != "mean" {
		r.fail("classifier_pooling", fmt.Sprintf("%q (want cls or mean)", mb.ClassifierPooling))
	}
	mb.ClassifierActivation = r.str("classifier_activation", "gelu")
	if !contains(activations, mb.ClassifierActivation) {
		r.fail("classifier_activation", fmt.Sprintf("unknown activation %q", mb.ClassifierActivation))
	}
	mb.ClassifierBias = r.bool("classifier_bias", false)
	mb.Sliding = readLayerTypes(r, c.NumHiddenLayers)
	mb.GlobalRopeTheta, mb.LocalRopeTheta = readRopeThetas(r)
	c.ModernBERT = mb
}

// readLayerTypes reads layer_types, or derives them from global_attn_every_n_layers (default 3)
// as transformers does: layer i is global when i is a multiple of it.
func readLayerTypes(r *fieldReader, layers int) []bool {
	sliding := make([]bool, max(layers, 0))
	if v, ok := r.raw["layer_types"]; ok && string(v) != "null" {
		var types []string
		if err := json.Unmarshal(v, &types); err != nil {
			r.fail("layer_types", "want a list of \"full_attention\" or \"sliding_attention\"")
			return sliding
		}
		if len(types) != layers {
			r.fail("layer_types", fmt.Sprintf("%d entries for %d layers (num_hidden_layers)", len(types), layers))
			return sliding
		}
		for i, t := range types {
			switch t {
			case "full_attention":
			case "sliding_attention":
				sliding[i] = true
			default:
				r.fail("layer_types", fmt.Sprintf("layer %d is %q (want full_attention or sliding_attention)", i, t))
			}
		}
		return sliding
	}
	every := 3
	if _, ok := r.raw["global_attn_every_n_layers"]; ok {
		every = r.int("global_attn_every_n_layers", true)
	}
	if every < 1 {
		r.fail("global_attn_every_n_layers", fmt.Sprintf("must be positive, got %d", every))
		return sliding
	}
	for i := range sliding {
		sliding[i] = i%every != 0
	}
	return sliding
}

// readRopeThetas reads the global and local rotary bases from rope_parameters (full_attention,
// sliding_attention), else global_rope_theta and local_rope_theta, else transformers' defaults.
// Only the default rotary type runs here.
func readRopeThetas(r *fieldReader) (global, local float64) {
	global, local = 160000, 10000
	if _, ok := r.raw["global_rope_theta"]; ok {
		global = r.float("global_rope_theta", true)
	}
	if _, ok := r.raw["local_rope_theta"]; ok {
		local = r.float("local_rope_theta", true)
	}
	if v, ok := r.raw["rope_parameters"]; ok && string(v) != "null" {
		var params map[string]*struct {
			RopeType  string   `json:"rope_type"`
			RopeTheta *float64 `json:"rope_theta"`
		}
		if err := json.Unmarshal(v, &params); err != nil {
			r.fail("rope_parameters", "want {\"full_attention\": {\"rope_theta\": …}, \"sliding_attention\": {…}}")
			return global, local
		}
		for kind, theta := range map[string]*float64{"full_attention": &global, "sliding_attention": &local} {
			p := params[kind]
			if p == nil {
				continue
			}
			if p.RopeType != "" && p.RopeType != "default" {
				r.fail("rope_parameters", fmt.Sprintf("%s has rope_type %q; only \"default\" is supported", kind, p.RopeType))
			}
			if p.RopeTheta != nil {
				*theta = *p.RopeTheta
			}
		}
	}
	if !(global > 0) || !(local > 0) {
		r.fail("rope_parameters", fmt.Sprintf("rotary bases must be positive, got global %g and local %g", global, local))
	}
	return global, local
}

func renderModernBERT(c *Config, m map[string]any) {
	m["hidden_size"], m["num_hidden_layers"], m["num_attention_heads"], m["intermediate_size"] = c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize
	m["hidden_activation"], m["norm_eps"] = c.HiddenAct, c.LayerNormEps
	mb := c.ModernBERT
	if mb == nil {
		return
	}
	types := make([]string, len(mb.Sliding))
	for i, s := range mb.Sliding {
		types[i] = "full_attention"
		if s {
			types[i] = "sliding_attention"
		}
	}
	m["layer_types"], m["local_attention"] = types, mb.LocalAttention
	m["rope_parameters"] = map[string]any{
		"full_attention":    map[string]any{"rope_type": "default", "rope_theta": mb.GlobalRopeTheta},
		"sliding_attention": map[string]any{"rope_type": "default", "rope_theta": mb.LocalRopeTheta},
	}
	m["norm_bias"], m["attention_bias"], m["mlp_bias"] = mb.NormBias, mb.AttentionBias, mb.MLPBias
	m["classifier_pooling"], m["classifier_activation"], m["classifier_bias"] = mb.ClassifierPooling, mb.ClassifierActivation, mb.ClassifierBias
}

// bindModernBERT binds ModernBertModel's tensors (model. prefix of the task models stripped) and,
// when asked, ModernBertForSequenceClassification's head (head.dense, head.norm, classifier).
// Layers without biases get zero biases, so that they run the shared kernels.
func bindModernBERT(c *Config, b *binder, head HeadType) *weights {
	H, I, mb := c.HiddenSize, c.IntermediateSize, c.ModernBERT
	lin := func(name string, out, in int, bias bool) linear {
		if bias {
			return b.linear(name, out, in)
		}
		return linear{w: b.tensor(name+".weight", out, in), b: b.zeros(out)}
	}
	norm := func(name string) layerNorm {
		if mb.NormBias {
			return b.norm(name, H)
		}
		return layerNorm{w: b.tensor(name+".weight", H), b: b.zeros(H)}
	}
	w := &weights{word: b.tensor("embeddings.tok_embeddings.weight", c.VocabSize, H), embedNorm: norm("embeddings.norm")}
	for i := range c.NumHiddenLayers {
		p := fmt.Sprintf("layers.%d.", i)
		l := layer{
			qkv: lin(p+"attn.Wqkv", 3*H, H, mb.AttentionBias), out: lin(p+"attn.Wo", H, H, mb.AttentionBias),
			up: lin(p+"mlp.Wi", 2*I, H, mb.MLPBias), down: lin(p+"mlp.Wo", H, I, mb.MLPBias),
			outNorm: norm(p + "mlp_norm"),
		}
		if i > 0 { // the first layer's attn_norm is the identity
			l.attnNorm = norm(p + "attn_norm")
		}
		w.layers = append(w.layers, l)
	}
	final := norm("final_norm")
	w.finalNorm = &final
	if head != HeadNone {
		if labels := headLabels(c, b, "classifier"); labels > 0 {
			pre, hn := lin("head.dense", H, H, mb.ClassifierBias), norm("head.norm")
			w.head = &classifierWeights{pre: &pre, preAct: mb.ClassifierActivation, norm: &hn,
				out: b.linear("classifier", labels, H), meanPool: mb.ClassifierPooling == "mean"}
		}
	}
	return w
}

// encodeModernBERT is ModernBertModel's forward on n token rows.
func encodeModernBERT(m *Model, sc *mlx.Scope, ids, positions, _ []int32, at attender) *mlx.Array {
	c, w, mb := m.Config, m.w, m.Config.ModernBERT
	n := len(ids)
	x := m.norm(sc, sc.Take(w.word, sc.FromInt32(ids, n), 0), w.embedNorm)
	global := newRotary(sc, positions, c.HeadDim(), mb.GlobalRopeTheta)
	local := newRotary(sc, positions, c.HeadDim(), mb.LocalRopeTheta)
	localAt := at.windowed(sc, mb.LocalAttention/2)
	for i := range w.layers {
		rot, lat := global, at
		if mb.Sliding[i] {
			rot, lat = local, localAt
		}
		x = scoped(sc, func(inner *mlx.Scope) *mlx.Array { return m.modernBlock(inner, &w.layers[i], x, n, rot, lat) })
	}
	return m.norm(sc, x, *w.finalNorm)
}

// modernBlock is one pre-norm ModernBERT layer on x [n, hidden].
func (m *Model) modernBlock(sc *mlx.Scope, l *layer, x *mlx.Array, n int, rot rotary, at attender) *mlx.Array {
	c := m.Config
	h := x
	if l.attnNorm.w != nil {
		h = m.norm(sc, x, l.attnNorm)
	}
	qkv := rot.apply(sc, m.dense(sc, h, &l.qkv), n, c.NumAttentionHeads, c.HeadDim())
	x = sc.Add(x, m.dense(sc, at.attend(sc, qkv), &l.out))
	u := m.dense(sc, m.norm(sc, x, l.outNorm), &l.up)
	I := c.IntermediateSize
	gated := sc.Multiply(m.activation(sc, sc.Slice(u, []int{0, 0}, []int{n, I})), sc.Slice(u, []int{0, I}, []int{n, 2 * I}))
	return sc.Add(x, m.dense(sc, gated, &l.down))
}
