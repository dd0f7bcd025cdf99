package bert

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Arch is a model architecture.
type Arch string

// The architectures this package runs, named by their config.json model_type. Each is a family
// registered in its own file (see family.go).
const (
	ArchBERT       Arch = "bert"
	ArchDistilBERT Arch = "distilbert"
	ArchRoBERTa    Arch = "roberta"
	ArchXLMRoBERTa Arch = "xlm-roberta"
	ArchMPNet      Arch = "mpnet"
	ArchModernBERT Arch = "modernbert"
	ArchJinaV3     Arch = "jina_embeddings_v3"
)

// Activations accepted for hidden_act / activation.
var activations = []string{"gelu", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "relu", "silu", "swish"}

// Config is a model's shape and labels, read from config.json. Field names follow the
// Hugging Face BERT config; DistilBERT's names map onto them.
type Config struct {
	Arch                  Arch
	HiddenSize            int
	NumHiddenLayers       int
	NumAttentionHeads     int
	IntermediateSize      int
	VocabSize             int
	MaxPositionEmbeddings int
	TypeVocabSize         int // 0 for architectures without token types (DistilBERT, MPNet)
	LayerNormEps          float64
	HiddenAct             string
	PadTokenID            int
	// SinusoidalPositions is DistilBERT's sinusoidal_pos_embds.
	SinusoidalPositions bool
	// RelativeBuckets is MPNet's relative_attention_num_buckets (0 for other architectures).
	RelativeBuckets int
	// ModernBERT holds ModernBERT's own fields (nil for other architectures).
	ModernBERT *ModernBERTConfig
	// RopeTheta is the rotary base of Jina v3 (rope_parameters.rope_theta); 0 for architectures
	// with a position table or with bases of their own (ModernBERT).
	RopeTheta float64
	// ID2Label and Label2ID are the classification labels (empty for a bare encoder).
	ID2Label    map[int]string
	Label2ID    map[string]int
	ProblemType string // "", "regression", "single_label_classification", "multi_label_classification"
	// Quantization is set for MLX checkpoints stored with quantized weights.
	Quantization *Quantization
}

// Quantization is the "quantization" block of an MLX checkpoint's config.
type Quantization struct {
	GroupSize int    `json:"group_size"`
	Bits      int    `json:"bits"`
	Mode      string `json:"mode,omitempty"`
}

// HeadDim is the size of one attention head.
func (c *Config) HeadDim() int { return c.HiddenSize / c.NumAttentionHeads }

// NumLabels is the number of classifier outputs the labels describe.
func (c *Config) NumLabels() int { return len(c.ID2Label) }

// PositionOffset is the first position id of a real token: RoBERTa, XLM-R and MPNet count
// positions from padding_idx+1, BERT and DistilBERT from 0.
func (c *Config) PositionOffset() int {
	if f := familyOf(c.Arch); f != nil && f.positions == positionsAfterPadding {
		return c.PadTokenID + 1
	}
	return 0
}

// UsesTokenTypes reports whether the architecture has a token type embedding. Models without one
// (DistilBERT, MPNet) ignore token_type_ids, as transformers does.
func (c *Config) UsesTokenTypes() bool { return c.TypeVocabSize > 0 }

// MaxSequenceLength is the longest input the position table allows.
func (c *Config) MaxSequenceLength() int { return c.MaxPositionEmbeddings - c.PositionOffset() }

// ConfigError is a malformed or inconsistent config.json, naming the file and the field.
type ConfigError struct {
	File  string
	Field string
	Msg   string
}

func (e *ConfigError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s: field %q: %s", e.File, e.Field, e.Msg)
}

// LoadConfig reads and validates a config.json.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading model config: %w", err)
	}
	return FromHFConfig(path, data)
}

// FromHFConfig parses a Hugging Face config.json of a registered architecture (BERT, DistilBERT,
// RoBERTa, XLM-R, MPNet, ModernBERT, Jina v3, or the same files written by MLX converters). name
// is used in error messages.
func FromHFConfig(name string, data []byte) (*Config, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, &ConfigError{File: name, Msg: "not a JSON object: " + err.Error()}
	}
	r := &fieldReader{file: name, raw: raw}
	f, err := detectFamily(r)
	if err != nil {
		return nil, err
	}
	c := &Config{Arch: f.arch}
	c.VocabSize = r.int("vocab_size", true)
	c.MaxPositionEmbeddings = r.int("max_position_embeddings", true)
	c.PadTokenID = f.padTokenID
	if _, ok := raw["pad_token_id"]; ok {
		c.PadTokenID = r.int("pad_token_id", false)
	}
	c.ProblemType = r.str("problem_type", "")
	c.ID2Label, c.Label2ID = r.labels()
	c.Quantization = r.quantization()
	f.configure(r, c)
	c.validate(r)
	if err := r.errs.err(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) validate(r *fieldReader) {
	heads := r.name("num_attention_heads", "n_heads")
	positive := func(field string, v int) {
		if v <= 0 && !r.failed(field) {
			r.fail(field, fmt.Sprintf("must be positive, got %d", v))
		}
	}
	for _, f := range []struct {
		name string
		v    int
	}{{r.name("hidden_size", "dim"), c.HiddenSize}, {r.name("num_hidden_layers", "n_layers"), c.NumHiddenLayers},
		{heads, c.NumAttentionHeads}, {r.name("intermediate_size", "hidden_dim"), c.IntermediateSize},
		{"vocab_size", c.VocabSize}, {"max_position_embeddings", c.MaxPositionEmbeddings}} {
		positive(f.name, f.v)
	}
	if c.NumAttentionHeads > 0 && c.HiddenSize > 0 && c.HiddenSize%c.NumAttentionHeads != 0 {
		r.fail(heads, fmt.Sprintf("%d heads do not divide the hidden size %d", c.NumAttentionHeads, c.HiddenSize))
	}
	if !contains(activations, c.HiddenAct) {
		r.fail(r.name("hidden_act", "activation"), fmt.Sprintf("unknown activation %q (want one of %s)", c.HiddenAct, strings.Join(activations, ", ")))
	}
	if c.PadTokenID < 0 || (c.VocabSize > 0 && c.PadTokenID >= c.VocabSize) {
		r.fail("pad_token_id", fmt.Sprintf("%d is outside the vocabulary (size %d)", c.PadTokenID, c.VocabSize))
	}
	if c.PositionOffset() >= c.MaxPositionEmbeddings && c.MaxPositionEmbeddings > 0 {
		r.fail("max_position_embeddings", fmt.Sprintf("%d leaves no room after the position offset %d", c.MaxPositionEmbeddings, c.PositionOffset()))
	}
	switch c.ProblemType {
	case "", "regression", "single_label_classification", "multi_label_classification":
	default:
		r.fail("problem_type", fmt.Sprintf("unknown problem type %q", c.ProblemType))
	}
	for id, label := range c.ID2Label {
		if got, ok := c.Label2ID[label]; len(c.Label2ID) > 0 && (!ok || got != id) {
			r.fail("label2id", fmt.Sprintf("does not invert id2label (label %q has id %d in id2label)", label, id))
			break
		}
	}
	for id := range c.ID2Label {
		if id < 0 || id >= len(c.ID2Label) {
			r.fail("id2label", fmt.Sprintf("ids must be 0..%d, got %d", len(c.ID2Label)-1, id))
			break
		}
	}
}

// ToHFConfig renders the config as a Hugging Face config.json object, in the field names of its
// architecture. FromHFConfig(ToHFConfig(c)) gives c back.
func (c *Config) ToHFConfig() map[string]any {
	m := map[string]any{
		"model_type":              string(c.Arch),
		"vocab_size":              c.VocabSize,
		"max_position_embeddings": c.MaxPositionEmbeddings,
		"pad_token_id":            c.PadTokenID,
	}
	if f := familyOf(c.Arch); f != nil {
		f.render(c, m)
	}
	if len(c.ID2Label) > 0 {
		id2 := map[string]string{}
		for id, l := range c.ID2Label {
			id2[strconv.Itoa(id)] = l
		}
		m["id2label"], m["label2id"] = id2, c.Label2ID
	}
	if c.ProblemType != "" {
		m["problem_type"] = c.ProblemType
	}
	if c.Quantization != nil {
		m["quantization"] = c.Quantization
	}
	return m
}

// fieldReader reads typed fields from a config object, collecting every problem.
type fieldReader struct {
	file string
	raw  map[string]json.RawMessage
	errs problems
	bad  map[string]bool
}

func (r *fieldReader) fail(field, msg string) {
	if r.bad == nil {
		r.bad = map[string]bool{}
	}
	r.bad[field] = true
	r.errs = append(r.errs, &ConfigError{File: r.file, Field: field, Msg: msg})
}

func (r *fieldReader) failed(field string) bool { return r.bad[field] }

// name picks the field name the file uses among synonyms (for messages).
func (r *fieldReader) name(names ...string) string {
	for _, n := range names {
		if _, ok := r.raw[n]; ok {
			return n
		}
	}
	return names[0]
}

func (r *fieldReader) rawString(field string) string {
	var s string
	if v, ok := r.raw[field]; ok && json.Unmarshal(v, &s) == nil {
		return s
	}
	if v, ok := r.raw[field]; ok {
		return string(v)
	}
	return ""
}

func (r *fieldReader) int(field string, required bool) int {
	v, ok := r.raw[field]
	if !ok || string(v) == "null" {
		if required {
			r.fail(field, "missing (required)")
		}
		return 0
	}
	var f float64
	if err := json.Unmarshal(v, &f); err != nil || f != math.Trunc(f) {
		r.fail(field, fmt.Sprintf("want an integer, got %s", v))
		return 0
	}
	if math.Abs(f) > 1<<31 {
		r.fail(field, fmt.Sprintf("%s is out of range (want %d to %d)", v, -(1<<31), 1<<31))
		return 0
	}
	return int(f)
}

func (r *fieldReader) float(field string, required bool) float64 {
	v, ok := r.raw[field]
	if !ok || string(v) == "null" {
		if required {
			r.fail(field, "missing (required)")
		}
		return 0
	}
	var f float64
	if err := json.Unmarshal(v, &f); err != nil {
		r.fail(field, fmt.Sprintf("want a number, got %s", v))
	}
	return f
}

func (r *fieldReader) str(field, def string) string {
	v, ok := r.raw[field]
	if !ok || string(v) == "null" {
		return def
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		r.fail(field, fmt.Sprintf("want a string, got %s", v))
	}
	return s
}

func (r *fieldReader) bool(field string, def bool) bool {
	v, ok := r.raw[field]
	if !ok || string(v) == "null" {
		return def
	}
	var b bool
	if err := json.Unmarshal(v, &b); err != nil {
		r.fail(field, fmt.Sprintf("want true or false, got %s", v))
	}
	return b
}

func (r *fieldReader) labels() (map[int]string, map[string]int) {
	id2 := map[int]string{}
	if v, ok := r.raw["id2label"]; ok && string(v) != "null" {
		var m map[string]string
		if err := json.Unmarshal(v, &m); err != nil {
			r.fail("id2label", "want an object of \"id\": \"label\"")
		}
		for k, l := range m {
			id, err := strconv.Atoi(k)
			if err != nil {
				r.fail("id2label", fmt.Sprintf("key %q is not an integer id", k))
				continue
			}
			id2[id] = l
		}
	}
	l2 := map[string]int{}
	if v, ok := r.raw["label2id"]; ok && string(v) != "null" {
		if err := json.Unmarshal(v, &l2); err != nil {
			r.fail("label2id", "want an object of \"label\": id")
		}
	}
	return id2, l2
}

func (r *fieldReader) quantization() *Quantization {
	v, ok := r.raw["quantization"]
	if !ok || string(v) == "null" {
		return nil
	}
	var q Quantization
	if err := json.Unmarshal(v, &q); err != nil || q.GroupSize <= 0 || q.Bits <= 0 {
		r.fail("quantization", fmt.Sprintf("want {group_size, bits}, got %s", v))
		return nil
	}
	return &q
}

// problems collects config errors and reports them all at once.
type problems []error

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	sort.SliceStable(p, func(i, j int) bool { return p[i].Error() < p[j].Error() })
	return errors.Join(p...)
}

func (p problems) join(e error) error { return append(p, e).err() }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Traits describes, one phrase each, how the architecture treats its inputs: its position rule,
// its token types and the attention shaping it adds (for bertbatch inspect).
func (c *Config) Traits() []string {
	var out []string
	if off := c.PositionOffset(); off > 0 {
		out = append(out, fmt.Sprintf("positions from padding_idx+1 = %d (pad id %d), rows up to %d tokens", off, c.PadTokenID, c.MaxSequenceLength()))
	} else {
		out = append(out, fmt.Sprintf("positions from 0, rows up to %d tokens", c.MaxSequenceLength()))
	}
	if c.UsesTokenTypes() {
		out = append(out, fmt.Sprintf("%d token type(s)", c.TypeVocabSize))
	} else {
		out = append(out, "no token types (token_type_ids are ignored)")
	}
	if mb := c.ModernBERT; mb != nil {
		global := 0
		for _, s := range mb.Sliding {
			if !s {
				global++
			}
		}
		out = append(out, fmt.Sprintf("rotary positions (theta %g global, %g local); %d of %d layers global, the others within %d tokens each side",
			mb.GlobalRopeTheta, mb.LocalRopeTheta, global, len(mb.Sliding), mb.LocalAttention/2))
	}
	if c.RopeTheta > 0 {
		out = append(out, fmt.Sprintf("rotary positions (theta %g) in every layer, no position table", c.RopeTheta))
	}
	if c.RelativeBuckets > 0 {
		out = append(out, fmt.Sprintf("relative position bias: %d buckets, max distance %d, shared by all layers", c.RelativeBuckets, mpnetMaxDistance))
	}
	return out
}
