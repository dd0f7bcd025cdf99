// Package shapes holds the model shapes the benchmark programs build with random weights, and
// writes each as a model folder holding only config.json (loaded with bert.Options.RandomInit).
package shapes

import (
	"fmt"
	"os"
	"path/filepath"
)

// configs are the Hugging Face configs of the shapes: all-MiniLM-L6-v2, bert-base and bert-large.
var configs = map[string]string{
	"minilm-l6":  `{"model_type":"bert","hidden_size":384,"num_hidden_layers":6,"num_attention_heads":12,"intermediate_size":1536,"vocab_size":30522,"max_position_embeddings":512,"type_vocab_size":2,"layer_norm_eps":1e-12}`,
	"bert-base":  `{"model_type":"bert","hidden_size":768,"num_hidden_layers":12,"num_attention_heads":12,"intermediate_size":3072,"vocab_size":30522,"max_position_embeddings":512,"type_vocab_size":2,"layer_norm_eps":1e-12}`,
	"bert-large": `{"model_type":"bert","hidden_size":1024,"num_hidden_layers":24,"num_attention_heads":16,"intermediate_size":4096,"vocab_size":30522,"max_position_embeddings":512,"type_vocab_size":2,"layer_norm_eps":1e-12}`,
}

// Dir writes the named shape's config.json into a new temporary folder and returns it; the
// caller removes it.
func Dir(name string) (string, error) {
	cfg, ok := configs[name]
	if !ok {
		return "", fmt.Errorf("unknown shape %q (want minilm-l6, bert-base or bert-large)", name)
	}
	dir, err := os.MkdirTemp("", "bertbatch-shape")
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o644); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}
