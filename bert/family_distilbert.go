package bert

// DistilBERT: BERT's layer under other names, no token types, no pooler, and a classification head
// of pre_classifier, ReLU and classifier. Its config spells the shape dim, n_layers, n_heads and
// hidden_dim; its LayerNorm epsilon is fixed at 1e-12.

var distilBERTNames = layerNames{
	prefix: "transformer.layer",
	query:  "attention.q_lin", key: "attention.k_lin", value: "attention.v_lin",
	attnOut: "attention.out_lin", attnNorm: "sa_layer_norm",
	up: "ffn.lin1", down: "ffn.lin2", outNorm: "output_layer_norm",
	embedNorm: "embeddings.LayerNorm", wordEmb: "embeddings.word_embeddings",
	posEmb: "embeddings.position_embeddings",
}

func init() {
	register(&family{arch: ArchDistilBERT, configure: configureDistilBERT, render: renderDistilBERT, names: distilBERTNames,
		positions: positionsFromZero, head: headLayout{pre: "pre_classifier", out: "classifier", preAct: "relu"}}, "distilbert")
}

func configureDistilBERT(r *fieldReader, c *Config) {
	c.HiddenSize = r.int("dim", true)
	c.NumHiddenLayers = r.int("n_layers", true)
	c.NumAttentionHeads = r.int("n_heads", true)
	c.IntermediateSize = r.int("hidden_dim", true)
	c.HiddenAct = r.str("activation", "gelu")
	c.SinusoidalPositions = r.bool("sinusoidal_pos_embds", false)
	c.LayerNormEps = 1e-12 // fixed in DistilBERT
}

func renderDistilBERT(c *Config, m map[string]any) {
	m["dim"], m["n_layers"], m["n_heads"], m["hidden_dim"] = c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize
	m["activation"], m["sinusoidal_pos_embds"] = c.HiddenAct, c.SinusoidalPositions
}
