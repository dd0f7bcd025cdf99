package bert

import "fmt"

// BERT and the models built on its layout: RoBERTa and XLM-RoBERTa share BERT's tensors and
// differ in their position rule, a single token type and their classification head.

var bertNames = layerNames{
	prefix: "encoder.layer",
	query:  "attention.self.query", key: "attention.self.key", value: "attention.self.value",
	attnOut: "attention.output.dense", attnNorm: "attention.output.LayerNorm",
	up: "intermediate.dense", down: "output.dense", outNorm: "output.LayerNorm",
	embedNorm: "embeddings.LayerNorm", wordEmb: "embeddings.word_embeddings",
	posEmb: "embeddings.position_embeddings", typeEmb: "embeddings.token_type_embeddings",
}

// robertaHead is RobertaClassificationHead's layout (dense and tanh on the first token, then
// out_proj), which XLM-R and Jina v3 share.
var robertaHead = headLayout{pre: "classifier.dense", out: "classifier.out_proj", preAct: "tanh"}

func init() {
	register(&family{arch: ArchBERT, configure: configureBERT, render: renderBERT, names: bertNames,
		positions: positionsFromZero, pooler: true, head: headLayout{out: "classifier", preAct: "tanh"}}, "bert")
	// RobertaConfig and XLMRobertaConfig default pad_token_id to 1.
	register(&family{arch: ArchRoBERTa, configure: configureBERT, render: renderBERT, names: bertNames,
		positions: positionsAfterPadding, padTokenID: 1, pooler: true, head: robertaHead}, "roberta")
	register(&family{arch: ArchXLMRoBERTa, configure: configureBERT, render: renderBERT, names: bertNames,
		positions: positionsAfterPadding, padTokenID: 1, pooler: true, head: robertaHead}, "xlm-roberta")
}

// configureBERT reads the fields of a BertConfig (RobertaConfig and XLMRobertaConfig have the same).
func configureBERT(r *fieldReader, c *Config) {
	readEncoderShape(r, c)
	c.TypeVocabSize = r.int("type_vocab_size", true)
	if c.TypeVocabSize <= 0 && !r.failed("type_vocab_size") {
		r.fail("type_vocab_size", fmt.Sprintf("must be positive, got %d", c.TypeVocabSize))
	}
	switch pe := r.str("position_embedding_type", "absolute"); pe {
	case "absolute":
	case "rotary":
		r.fail("position_embedding_type", `"rotary" is jina-embeddings-v3's remote-code layout (XLMRobertaLoRA), which needs `+
			`trust_remote_code and is not supported; use its transformers conversion (model_type jina_embeddings_v3)`)
	default:
		r.fail("position_embedding_type", fmt.Sprintf("%q is not supported (only absolute)", pe))
	}
	refuseLoRA(r)
}

// readEncoderShape reads the shape fields BERT, RoBERTa and MPNet spell alike.
func readEncoderShape(r *fieldReader, c *Config) {
	c.HiddenSize = r.int("hidden_size", true)
	c.NumHiddenLayers = r.int("num_hidden_layers", true)
	c.NumAttentionHeads = r.int("num_attention_heads", true)
	c.IntermediateSize = r.int("intermediate_size", true)
	c.LayerNormEps = r.float("layer_norm_eps", true)
	c.HiddenAct = r.str("hidden_act", "gelu")
	if !(c.LayerNormEps > 0 && c.LayerNormEps < 1) && !r.failed("layer_norm_eps") {
		r.fail("layer_norm_eps", fmt.Sprintf("must be in (0, 1), got %g", c.LayerNormEps))
	}
}

func renderBERT(c *Config, m map[string]any) {
	renderEncoderShape(c, m)
	m["type_vocab_size"] = c.TypeVocabSize
}

func renderEncoderShape(c *Config, m map[string]any) {
	m["hidden_size"], m["num_hidden_layers"], m["num_attention_heads"], m["intermediate_size"] = c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize
	m["layer_norm_eps"], m["hidden_act"] = c.LayerNormEps, c.HiddenAct
}
