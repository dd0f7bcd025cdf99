package bert

import (
	"encoding/json"
	"fmt"

	"github.com/bertbatch/bertbatch/mlx"
)

// Jina embeddings v3 (transformers' JinaEmbeddingsV3Model): XLM-RoBERTa's embeddings without a
// position table (word and token type embeddings, then LayerNorm), BERT's post-norm layers with a
// fused query/key/value projection whose queries and keys are rotated (the default rotary of
// rope_parameters.rope_theta, 20000 when absent, positions 0, 1, 2, … in each row), a feed-forward
// of fc1, the activation and fc2, BERT's pooler and RoBERTa's classification head.
//
// Checkpoints keep the names of Jina's own code, which transformers renames on load and restores
// on save: emb_ln, encoder.layers.N.mixer.Wqkv (query, key and value stacked), mixer.out_proj,
// norm1 (after attention), mlp.fc1, mlp.fc2 and norm2 (after the feed-forward). The task
// models prefix them with roberta. A state dict saved as is has transformers' module names
// (jinaModuleNames), which transformers loads too, and so does bertbatch.
//
// Only the base model runs: the LoRA adapters of the remote-code checkpoints (lora_adaptations,
// model_type xlm-roberta with position_embedding_type rotary) need trust_remote_code and are
// refused.

// jinaDefaultTheta is JinaEmbeddingsV3Config's default_theta.
const jinaDefaultTheta = 20000

var jinaNames = layerNames{
	prefix: "encoder.layers",
	qkv:    "mixer.Wqkv", attnOut: "mixer.out_proj", attnNorm: "norm1",
	up: "mlp.fc1", down: "mlp.fc2", outNorm: "norm2",
	embedNorm: "emb_ln", wordEmb: "embeddings.word_embeddings", typeEmb: "embeddings.token_type_embeddings",
}

// jinaModuleNames are the names of JinaEmbeddingsV3Model's modules.
var jinaModuleNames = layerNames{
	prefix: "layers",
	query:  "self_attn.q_proj", key: "self_attn.k_proj", value: "self_attn.v_proj",
	attnOut: "self_attn.o_proj", attnNorm: "post_attention_layernorm",
	up: "mlp.fc1", down: "mlp.fc2", outNorm: "post_mlp_layernorm",
	embedNorm: "embeddings.LayerNorm", wordEmb: "embeddings.word_embeddings", typeEmb: "embeddings.token_type_embeddings",
}

func init() {
	// JinaEmbeddingsV3Config defaults pad_token_id to 1, as XLM-R.
	register(&family{arch: ArchJinaV3, configure: configureJina, render: renderJina, names: jinaNames,
		otherNames: []layerNames{jinaModuleNames}, positions: positionsFromZero, padTokenID: 1, pooler: true, head: robertaHead, encode: encodeJina}, "jina_embeddings_v3")
}

func configureJina(r *fieldReader, c *Config) {
	readEncoderShape(r, c)
	c.TypeVocabSize = 1 // JinaEmbeddingsV3Config's default
	if _, ok := r.raw["type_vocab_size"]; ok {
		c.TypeVocabSize = r.int("type_vocab_size", true)
	}
	if c.TypeVocabSize <= 0 && !r.failed("type_vocab_size") {
		r.fail("type_vocab_size", fmt.Sprintf("must be positive, got %d", c.TypeVocabSize))
	}
	if _, ok := r.raw["head_dim"]; ok {
		if hd := r.int("head_dim", false); c.NumAttentionHeads > 0 && hd != c.HiddenSize/c.NumAttentionHeads && !r.failed("head_dim") {
			r.fail("head_dim", fmt.Sprintf("%d, but only hidden_size / num_attention_heads = %d is supported", hd, c.HiddenSize/c.NumAttentionHeads))
		}
	}
	c.RopeTheta = readRopeTheta(r)
	refuseLoRA(r)
}

// readRopeTheta reads rope_parameters ({"rope_type": "default", "rope_theta": …}), else an older
// top-level rope_theta, else Jina's default base. Only the default rotary type runs here.
func readRopeTheta(r *fieldReader) float64 {
	theta := float64(jinaDefaultTheta)
	if _, ok := r.raw["rope_theta"]; ok {
		theta = r.float("rope_theta", true)
	}
	if v, ok := r.raw["rope_parameters"]; ok && string(v) != "null" {
		var p struct {
			RopeType  string   `json:"rope_type"`
			RopeTheta *float64 `json:"rope_theta"`
		}
		if err := json.Unmarshal(v, &p); err != nil {
			r.fail("rope_parameters", `want {"rope_type": "default", "rope_theta": …}`)
			return theta
		}
		if p.RopeType != "" && p.RopeType != "default" {
			r.fail("rope_parameters", fmt.Sprintf("rope_type %q; only \"default\" is supported", p.RopeType))
		}
		if p.RopeTheta != nil {
			theta = *p.RopeTheta
		}
	}
	if !(theta > 0) && !r.failed("rope_parameters") && !r.failed("rope_theta") {
		r.fail("rope_parameters", fmt.Sprintf("the rotary base must be positive, got %g", theta))
	}
	return theta
}

// refuseLoRA refuses a config that names LoRA adaptations (jina-embeddings-v3's remote-code
// checkpoints): the adapters need the checkpoint's own code.
func refuseLoRA(r *fieldReader) {
	if v, ok := r.raw["lora_adaptations"]; ok && string(v) != "null" {
		r.fail("lora_adaptations", fmt.Sprintf("names LoRA adaptations %s, which need the checkpoint's own code (trust_remote_code) "+
			"and are not supported; use a checkpoint of the base model without adapters", v))
	}
}

func renderJina(c *Config, m map[string]any) {
	renderEncoderShape(c, m)
	m["type_vocab_size"] = c.TypeVocabSize
	m["rope_parameters"] = map[string]any{"rope_type": "default", "rope_theta": c.RopeTheta}
}

// encodeJina is JinaEmbeddingsV3Model's forward on n token rows: the shared embeddings (no
// position table) and post-norm layers, each layer's queries and keys rotated before attention.
func encodeJina(m *Model, sc *mlx.Scope, ids, positions, types []int32, at attender) *mlx.Array {
	c := m.Config
	rot := rotatedAttention{inner: at, rot: newRotary(sc, positions, c.HeadDim(), c.RopeTheta),
		n: len(positions), heads: c.NumAttentionHeads, headDim: c.HeadDim()}
	return m.layers(sc, m.embeddings(sc, ids, positions, types), rot)
}
