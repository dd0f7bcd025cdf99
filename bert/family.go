package bert

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bertbatch/bertbatch/mlx"
)

// The encoder seam.
//
// Every architecture fulfils one contract: a batch of token rows in, the last hidden state out,
// pooling and heads on top (Model.Forward, Pool, Logits). The parts shared by all of them live
// once in this package: the embedding sum and its LayerNorm, the position rule, the attention
// kernels (padded and packed), packed batches, the dense and GELU kernels, add+LayerNorm, pooling
// and the classification heads. What an architecture owns is a family, in a file of its own
// (family_bert.go, family_distilbert.go, family_mpnet.go, family_modernbert.go, family_jina.go),
// registered by the config.json model_type values it reads: its config fields, its tensor names,
// its position rule, the tensors beyond the shared layer it binds (MPNet's relative position
// buckets) and its head's layout. A family that keeps BERT's post-norm layer but positions tokens
// otherwise (Jina v3's rotary positions, rotary.go) brings its own encoder over the shared layers;
// one whose layers differ (ModernBERT) brings its own binding and encoder and still uses the
// shared attention, dense and norm kernels. Adding an architecture adds one such file and its
// tests.

// family is one encoder architecture behind the seam.
type family struct {
	arch Arch
	// configure reads the family's own config.json fields into c. The fields every family shares
	// (vocab_size, max_position_embeddings, pad_token_id, labels, problem_type, quantization) are
	// read already.
	configure func(r *fieldReader, c *Config)
	// padTokenID is the pad_token_id of a config.json that has none (the config class's default).
	padTokenID int
	// render writes the family's own fields back as config.json keys (Config.ToHFConfig).
	render func(c *Config, m map[string]any)
	// names are the tensor names of the shared post-norm layer and embeddings.
	names layerNames
	// otherNames are further spellings of the same tensors that transformers also loads (Jina
	// v3's module names); a checkpoint without names' first layer is bound through the first of
	// them whose first layer it holds.
	otherNames []layerNames
	// positions says how position ids count.
	positions positionRule
	// pooler is true when the checkpoint may hold BERT's pooler (pooler.dense, tanh on the first
	// token); it is bound when present.
	pooler bool
	// head is the sequence-classification head's layout.
	head headLayout
	// bindExtra binds tensors beyond the shared layer (nil: none).
	bindExtra func(c *Config, b *binder, w *weights)
	// bind, when set, replaces the shared binding of embeddings, post-norm layers and head (names,
	// bindExtra, pooler and head unused) for a family whose layers differ (ModernBERT).
	bind func(c *Config, b *binder, head HeadType) *weights
	// encode, when set, replaces the shared encoder (embeddings, then post-norm layers): it maps
	// n token rows (ids, position ids, token type ids) to the last hidden state [n, hidden],
	// attending as at says.
	encode func(m *Model, sc *mlx.Scope, ids, positions, types []int32, at attender) *mlx.Array
}

// positionRule is how a family numbers positions.
type positionRule int

const (
	// positionsFromZero numbers a row's tokens 0, 1, 2, … (BERT, DistilBERT).
	positionsFromZero positionRule = iota
	// positionsAfterPadding numbers non-padding tokens from padding_idx+1 and gives padding tokens
	// padding_idx (RoBERTa, XLM-R, MPNet: transformers' create_position_ids_from_input_ids).
	positionsAfterPadding
)

// headLayout is where a family's classification head reads its weights: pre (a dense layer on
// the first token, then preAct), then out. pre "" means BERT's pooler.
type headLayout struct {
	pre, out string
	preAct   string // "tanh" or "relu"
}

// families holds every registered family by model_type.
var families = map[string]*family{}

// register makes f the family of config.json model_type values types.
func register(f *family, types ...string) {
	for _, t := range types {
		if _, dup := families[t]; dup {
			panic("bert: model_type " + t + " registered twice")
		}
		families[t] = f
	}
}

// familyOf is the family of an architecture; nil when none is registered.
func familyOf(a Arch) *family { return families[string(a)] }

// supportedTypes lists the registered model_type values, for messages.
func supportedTypes() string {
	var out []string
	for t := range families {
		out = append(out, t)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// detectFamily picks the family of a config.json. Configs written before model_type existed are
// BERT, or DistilBERT when they use its field names.
func detectFamily(r *fieldReader) (*family, error) {
	t := r.rawString("model_type")
	if _, ok := r.raw["model_type"]; !ok || t == "bert" {
		if _, distil := r.raw["dim"]; distil {
			t = string(ArchDistilBERT)
		} else {
			t = string(ArchBERT)
		}
	}
	if f := families[t]; f != nil {
		return f, nil
	}
	return nil, &ConfigError{File: r.file, Field: "model_type", Msg: fmt.Sprintf("unsupported model type %s (want one of %s)", t, supportedTypes())}
}
