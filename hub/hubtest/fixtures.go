package hubtest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
)

// Bytes returns n deterministic pseudo-random bytes drawn from seed, for fake weight files.
func Bytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// SentenceTransformer returns the files of a sentence-transformers BERT repository as the Hub holds
// them: configs and tokenizer files in git, model.safetensors (weightBytes pseudo-random bytes) in LFS,
// plus what a job must never fetch: pytorch_model.bin, tf_model.h5, flax_model.msgpack, rust_model.ot,
// onnx/model.onnx, README.md and .gitattributes.
func SentenceTransformer(weightBytes int) []File {
	modules := []map[string]any{
		{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
		{"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
		{"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
	}
	return []File{
		{Name: ".gitattributes", Content: []byte("*.safetensors filter=lfs diff=lfs merge=lfs -text\n")},
		{Name: "README.md", Content: []byte("# fake sentence-transformers model\n")},
		{Name: "config.json", Content: jsonBytes(map[string]any{"architectures": []string{"BertModel"},
			"model_type": "bert", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
			"intermediate_size": 64, "vocab_size": 30522, "max_position_embeddings": 512})},
		{Name: "tokenizer.json", Content: jsonBytes(map[string]any{"version": "1.0", "model": map[string]any{"type": "WordPiece"}})},
		{Name: "tokenizer_config.json", Content: jsonBytes(map[string]any{"do_lower_case": true, "model_max_length": 512})},
		{Name: "vocab.txt", Content: []byte("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld\n")},
		{Name: "special_tokens_map.json", Content: jsonBytes(map[string]any{"cls_token": "[CLS]", "sep_token": "[SEP]"})},
		{Name: "modules.json", Content: jsonBytes(modules)},
		{Name: "sentence_bert_config.json", Content: jsonBytes(map[string]any{"max_seq_length": 256, "do_lower_case": false})},
		{Name: "config_sentence_transformers.json", Content: jsonBytes(map[string]any{"__version__": map[string]string{"sentence_transformers": "2.0.0"}})},
		{Name: "1_Pooling/config.json", Content: jsonBytes(map[string]any{"word_embedding_dimension": 32, "pooling_mode_mean_tokens": true})},
		{Name: "model.safetensors", Content: Bytes(1, weightBytes), LFS: true},
		{Name: "pytorch_model.bin", Content: Bytes(2, 4096), LFS: true},
		{Name: "tf_model.h5", Content: Bytes(3, 4096), LFS: true},
		{Name: "flax_model.msgpack", Content: Bytes(4, 2048), LFS: true},
		{Name: "rust_model.ot", Content: Bytes(5, 2048), LFS: true},
		{Name: "onnx/model.onnx", Content: Bytes(6, 2048), LFS: true},
	}
}

// NeededByJob is the subset of SentenceTransformer's files a job needs, sorted.
var NeededByJob = []string{
	"1_Pooling/config.json", "config.json", "config_sentence_transformers.json", "model.safetensors",
	"modules.json", "sentence_bert_config.json", "special_tokens_map.json", "tokenizer.json",
	"tokenizer_config.json", "vocab.txt",
}

func jsonBytes(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("hubtest: fixture JSON: %v", err)) // fixed literal values: cannot fail
	}
	return b
}
