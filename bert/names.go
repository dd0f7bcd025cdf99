package bert

import (
	"regexp"
	"strings"
)

// Checkpoint tensor names come in several spellings of one layout. canonicalName maps a stored
// name to the architecture's Hugging Face name without the model prefix ("bert.", "distilbert.",
// "roberta.", "mpnet.", "model."), with LayerNorm gamma/beta renamed weight/bias, and with mlx-examples
// names (weights.npz) turned back into Hugging Face ones. ok is false for tensors the encoder
// never reads (position_ids buffers, masked-LM heads).
func canonicalName(name string) (canon string, ok bool) {
	if name, ok = hfName(name); !ok {
		return "", false
	}
	return fromMLXExamples(name), true
}

// hfName is canonicalName for checkpoints that hold Hugging Face names only (every format but
// weights.npz): mlx-examples names are not looked for, so that an architecture's own names that
// look like them (ModernBERT's embeddings.norm) stay as they are.
func hfName(name string) (canon string, ok bool) {
	for _, p := range []string{"bert.", "distilbert.", "roberta.", "mpnet.", "model."} {
		if strings.HasPrefix(name, p) {
			name = strings.TrimPrefix(name, p)
			break
		}
	}
	if strings.HasSuffix(name, "position_ids") || strings.HasPrefix(name, "cls.") || strings.HasPrefix(name, "lm_head.") ||
		strings.HasPrefix(name, "vocab_") {
		return "", false
	}
	name = strings.Replace(name, "LayerNorm.gamma", "LayerNorm.weight", 1)
	name = strings.Replace(name, "LayerNorm.beta", "LayerNorm.bias", 1)
	return name, true
}

var mlxLayer = regexp.MustCompile(`^encoder\.layers\.(\d+)\.(.+)$`)

// mlxLayerNames maps mlx-examples' per-layer module names to Hugging Face BERT's.
var mlxLayerNames = map[string]string{
	"attention.query_proj": "attention.self.query",
	"attention.key_proj":   "attention.self.key",
	"attention.value_proj": "attention.self.value",
	"attention.out_proj":   "attention.output.dense",
	"ln1":                  "attention.output.LayerNorm",
	"ln2":                  "output.LayerNorm",
	"linear1":              "intermediate.dense",
	"linear2":              "output.dense",
}

func fromMLXExamples(name string) string {
	if m := mlxLayer.FindStringSubmatch(name); m != nil {
		module, param := splitParam(m[2])
		if hf, ok := mlxLayerNames[module]; ok {
			return "encoder.layer." + m[1] + "." + hf + "." + param
		}
		return name
	}
	switch {
	case strings.HasPrefix(name, "embeddings.norm."):
		return "embeddings.LayerNorm." + strings.TrimPrefix(name, "embeddings.norm.")
	case name == "pooler.weight" || name == "pooler.bias":
		return "pooler.dense." + strings.TrimPrefix(name, "pooler.")
	}
	return name
}

func splitParam(s string) (module, param string) {
	i := strings.LastIndexByte(s, '.')
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i+1:]
}

// layerNames are the tensor names of a family's embeddings and post-norm layers, the layer ones in the order
// query, key, value, attention output, attention norm, up projection, down projection, output norm.
type layerNames struct {
	prefix                               string // "encoder.layer" or "transformer.layer"
	query, key, value, attnOut, attnNorm string
	// qkv, when set, is one fused [3·hidden, hidden] projection of query, key and value (query,
	// key and value unused).
	qkv                                 string
	up, down, outNorm                   string
	embedNorm, wordEmb, posEmb, typeEmb string // posEmb "": no position table (rotary positions)
}
