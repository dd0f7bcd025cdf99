package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
)

// auxiliaryFiles are the configuration and tokenizer files a job uses when the model has them.
var auxiliaryFiles = []string{
	"config.json",
	"tokenizer.json",
	"tokenizer_config.json",
	"vocab.txt",
	"special_tokens_map.json",
	"modules.json",
	"sentence_bert_config.json",
	"config_sentence_transformers.json",
	"1_Pooling/config.json",
}

// source is what file selection looks at: the Hub's listing (reading means downloading) or the files
// present in a folder.
type source interface {
	has(name string) bool
	names() []string
	read(ctx context.Context, name string) ([]byte, error)
}

// missingError says which needed files a source lacks; Resolve words it for the Hub, the cache or a folder.
type missingError struct {
	files []string
}

func (e *missingError) Error() string {
	return "missing " + strings.Join(e.files, ", ")
}

// selectFiles picks the files a job needs: the auxiliary files present, the config and weights of the
// sentence-transformers modules listed in modules.json, and the weights — *.safetensors (single, or
// sharded through model.safetensors.index.json) first, else pytorch_model.bin (with a warning), else
// weights.npz. TensorFlow, Flax, ONNX and other formats are never selected.
func selectFiles(ctx context.Context, src source, logf func(string, ...any)) ([]string, error) {
	if !src.has("config.json") {
		return nil, &missingError{files: []string{"config.json"}}
	}
	var out []string
	for _, f := range auxiliaryFiles {
		if src.has(f) {
			out = append(out, f)
		}
	}
	modules, err := moduleFiles(ctx, src, logf)
	if err != nil {
		return nil, err
	}
	weights, err := weightFiles(ctx, src, "", logf)
	if err != nil {
		return nil, err
	}
	out = append(out, modules...)
	out = append(out, weights...)
	sort.Strings(out)
	return dedupe(out), nil
}

// weightFiles picks the weights in folder dir ("" for the repository root). For a module folder,
// missing weights are not an error (most modules have none).
func weightFiles(ctx context.Context, src source, dir string, logf func(string, ...any)) ([]string, error) {
	at := func(name string) string { return path.Join(dir, name) }
	if src.has(at("model.safetensors.index.json")) {
		return shardedFiles(ctx, src, at("model.safetensors.index.json"))
	}
	if src.has(at("model.safetensors")) {
		return []string{at("model.safetensors")}, nil
	}
	var loose []string
	for _, n := range src.names() {
		if path.Dir(n) == path.Join(".", dir) && strings.HasSuffix(n, ".safetensors") {
			loose = append(loose, n)
		}
	}
	switch {
	case len(loose) == 1:
		return loose, nil
	case len(loose) > 1:
		sort.Strings(loose)
		return nil, fmt.Errorf("%w: several safetensors files (%s) and no model.safetensors.index.json to say how they combine",
			ErrNoWeights, strings.Join(loose, ", "))
	}
	for _, bin := range []string{"pytorch_model.bin.index.json", "pytorch_model.bin"} {
		if !src.has(at(bin)) {
			continue
		}
		logf("hub: %s has no safetensors weights; using %s (PyTorch pickle: slower to load; a safetensors copy is preferred)",
			orRoot(dir), at(bin))
		if strings.HasSuffix(bin, ".index.json") {
			return shardedFiles(ctx, src, at(bin))
		}
		return []string{at(bin)}, nil
	}
	if src.has(at("weights.npz")) {
		return []string{at("weights.npz")}, nil
	}
	if dir != "" {
		return nil, nil
	}
	return nil, &noWeightsError{present: otherWeights(src.names())}
}

func orRoot(dir string) string {
	if dir == "" {
		return "the model"
	}
	return dir
}

// shardedFiles reads a weights index ({"weight_map": {tensor: file}}) and returns it with its shards,
// which must all be present.
func shardedFiles(ctx context.Context, src source, index string) ([]string, error) {
	data, err := src.read(ctx, index)
	if err != nil {
		return nil, err
	}
	var idx struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if err := json.Unmarshal(data, &idx); err != nil {
		return nil, fmt.Errorf("hub: %s is not valid JSON: %w", index, err)
	}
	if len(idx.WeightMap) == 0 {
		return nil, fmt.Errorf("hub: %s has an empty weight_map", index)
	}
	out := []string{index}
	var missing []string
	for _, shard := range idx.WeightMap {
		name := path.Join(path.Dir(index), shard)
		if err := validateFilename(shard); err != nil || strings.Contains(shard, "/") {
			return nil, fmt.Errorf("hub: %s names shard %q, which is not a plain file name", index, shard)
		}
		if !src.has(name) {
			missing = append(missing, name)
			continue
		}
		out = append(out, name)
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, &missingError{files: dedupe(missing)}
	}
	sort.Strings(out)
	return dedupe(out), nil
}

// moduleFiles reads modules.json and returns, for each module folder, its config.json and weights.
func moduleFiles(ctx context.Context, src source, logf func(string, ...any)) ([]string, error) {
	if !src.has("modules.json") {
		return nil, nil
	}
	data, err := src.read(ctx, "modules.json")
	if err != nil {
		return nil, err
	}
	var modules []struct {
		Path string `json:"path"`
	}
	if err := json.Unmarshal(data, &modules); err != nil {
		return nil, fmt.Errorf("hub: modules.json is not a JSON list of modules: %w", err)
	}
	var out []string
	for _, m := range modules {
		dir := strings.Trim(m.Path, "/")
		if dir == "" {
			continue // the root transformer, selected above
		}
		if err := validateFilename(dir); err != nil || strings.Contains(dir, "/") {
			return nil, fmt.Errorf("hub: modules.json names module folder %q, which is not a plain folder name", m.Path)
		}
		if src.has(dir + "/config.json") {
			out = append(out, dir+"/config.json")
		}
		weights, err := weightFiles(ctx, src, dir, logf)
		if err != nil {
			return nil, fmt.Errorf("hub: module %s: %w", dir, err)
		}
		out = append(out, weights...)
	}
	return out, nil
}

// noWeightsError is a model with no weights bertbatch reads; present lists formats it does have.
type noWeightsError struct {
	present []string
}

func (e *noWeightsError) Unwrap() error { return ErrNoWeights }

func (e *noWeightsError) Error() string {
	msg := "no weights bertbatch can read (model.safetensors, a model.safetensors.index.json with its shards, " +
		"pytorch_model.bin or weights.npz)"
	if len(e.present) > 0 {
		msg += "; it has only " + strings.Join(e.present, ", ") + ": convert the model to safetensors"
	}
	return msg
}

// otherWeights lists weight files in formats bertbatch does not read, to name them in the error.
func otherWeights(names []string) []string {
	var out []string
	for _, n := range names {
		switch {
		case strings.HasSuffix(n, ".h5"), strings.HasSuffix(n, ".msgpack"), strings.HasSuffix(n, ".onnx"),
			strings.HasSuffix(n, ".ot"), strings.HasSuffix(n, ".gguf"), strings.HasSuffix(n, ".pt"):
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func dedupe(sorted []string) []string {
	out := sorted[:0]
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}
