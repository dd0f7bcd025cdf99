package bert

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bertbatch/bertbatch/bert/internal/golden"
)

// stTensor is one tensor of a safetensors file, as these tests read and write it: the file is an
// 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte
// range, and the data.
type stTensor struct {
	DType   string   `json:"dtype"`
	Shape   []int    `json:"shape"`
	Offsets [2]int64 `json:"data_offsets"`
	data    []byte
}

// readSafetensorsFile reads every tensor of a safetensors file with its bytes.
func readSafetensorsFile(t *testing.T, path string) map[string]*stTensor {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(raw[:8])
	var header map[string]json.RawMessage
	if err := json.Unmarshal(raw[8:8+n], &header); err != nil {
		t.Fatalf("%s: header: %v", path, err)
	}
	data := raw[8+n:]
	tensors := map[string]*stTensor{}
	for name, v := range header {
		if name == "__metadata__" {
			continue
		}
		var ts stTensor
		if err := json.Unmarshal(v, &ts); err != nil {
			t.Fatalf("%s: tensor %s: %v", path, name, err)
		}
		ts.data = data[ts.Offsets[0]:ts.Offsets[1]]
		tensors[name] = &ts
	}
	return tensors
}

// writeSafetensorsFile writes tensors in name order, with the header padded to 8 bytes.
func writeSafetensorsFile(t *testing.T, path string, tensors map[string]*stTensor) {
	t.Helper()
	header := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	var data []byte
	names := make([]string, 0, len(tensors))
	for name := range tensors {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		ts := tensors[name]
		ts.Offsets = [2]int64{int64(len(data)), int64(len(data) + len(ts.data))}
		data = append(data, ts.data...)
		header[name] = ts
	}
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	h = append(h, bytes.Repeat([]byte(" "), (8-len(h)%8)%8)...)
	var out bytes.Buffer
	binary.Write(&out, binary.LittleEndian, uint64(len(h)))
	out.Write(h)
	out.Write(data)
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// editConfig sets fields of a folder's config.json.
func editConfig(t *testing.T, dir string, fields map[string]any) {
	t.Helper()
	path := filepath.Join(dir, "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	for k, v := range fields {
		c[k] = v
	}
	if data, err = json.Marshal(c); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// namesWithDim lists the tensors of a safetensors file with dim among their dimensions.
func namesWithDim(t *testing.T, path string, dim int) []string {
	var names []string
	for name, ts := range readSafetensorsFile(t, path) {
		if slices.Contains(ts.Shape, dim) {
			names = append(names, name)
		}
	}
	return names
}

// TestBadWeights breaks a copy of a tiny model in one way each: every break is one clear error
// (listing every tensor concerned), never a panic.
func TestBadWeights(t *testing.T) {
	models := filepath.Join(golden.Dir(), "models")
	st := func(dir string) string { return filepath.Join(dir, "model.safetensors") }
	drop := func(names ...string) func(*testing.T, string) []string {
		return func(t *testing.T, dir string) []string {
			tensors := readSafetensorsFile(t, st(dir))
			var want []string
			for _, n := range names {
				if tensors[n] == nil {
					t.Fatalf("no tensor %s to delete", n)
				}
				delete(tensors, n)
				want = append(want, "missing "+n)
			}
			writeSafetensorsFile(t, st(dir), tensors)
			return want
		}
	}
	truncate := func(size func(headerLen, total int64) int64) func(*testing.T, string) []string {
		return func(t *testing.T, dir string) []string {
			raw, err := os.ReadFile(st(dir))
			if err != nil {
				t.Fatal(err)
			}
			n := size(int64(binary.LittleEndian.Uint64(raw[:8])), int64(len(raw)))
			if err := os.WriteFile(st(dir), raw[:n], 0o644); err != nil {
				t.Fatal(err)
			}
			return []string{"model.safetensors"}
		}
	}
	for _, tc := range []struct {
		name, model string
		// breakIt damages the copy in dir and returns what the error must contain.
		breakIt func(t *testing.T, dir string) []string
	}{
		{"hidden_size contradicts every tensor", "tiny-bert", func(t *testing.T, dir string) []string {
			editConfig(t, dir, map[string]any{"hidden_size": 64})
			names := namesWithDim(t, st(dir), 32)
			want := []string{fmt.Sprintf("%d tensor problem(s)", len(names))}
			for _, n := range names {
				want = append(want, n+" has shape")
			}
			return want
		}},
		{"intermediate_size contradicts the feed-forward tensors", "tiny-distilbert", func(t *testing.T, dir string) []string {
			editConfig(t, dir, map[string]any{"hidden_dim": 128})
			names := namesWithDim(t, st(dir), 64)
			want := []string{fmt.Sprintf("%d tensor problem(s)", len(names))}
			for _, n := range names {
				want = append(want, n+" has shape")
			}
			return want
		}},
		{"more layers than the checkpoint", "tiny-bert", func(t *testing.T, dir string) []string {
			editConfig(t, dir, map[string]any{"num_hidden_layers": 3})
			var want []string
			for name := range readSafetensorsFile(t, st(dir)) {
				if strings.HasPrefix(name, "encoder.layer.1.") {
					want = append(want, "missing encoder.layer.2."+strings.TrimPrefix(name, "encoder.layer.1."))
				}
			}
			return append(want, fmt.Sprintf("%d tensor problem(s)", len(want)))
		}},
		{"deleted tensors", "tiny-bert", drop("encoder.layer.1.attention.self.key.weight", "encoder.layer.1.attention.self.value.weight",
			"embeddings.LayerNorm.bias", "encoder.layer.0.output.dense.bias")},
		{"deleted pooler bias", "tiny-bert", drop("pooler.dense.bias")},
		{"deleted distilbert tensors", "tiny-distilbert", drop("transformer.layer.0.ffn.lin1.weight", "embeddings.position_embeddings.weight")},
		{"deleted jina tensors", "tiny-jina", drop("encoder.layers.1.mixer.Wqkv.weight", "emb_ln.bias", "embeddings.token_type_embeddings.weight")},
		{"jina config naming LoRA adaptations", "tiny-jina", func(t *testing.T, dir string) []string {
			editConfig(t, dir, map[string]any{"lora_adaptations": []string{"retrieval.query", "retrieval.passage"}})
			return []string{"config.json", `"lora_adaptations"`, "trust_remote_code"}
		}},
		{"integer weight", "tiny-bert", func(t *testing.T, dir string) []string {
			tensors := readSafetensorsFile(t, st(dir))
			tensors["embeddings.LayerNorm.weight"].DType = "I32"
			writeSafetensorsFile(t, st(dir), tensors)
			return []string{"embeddings.LayerNorm.weight has dtype I32, want a float type"}
		}},
		{"truncated inside the header length", "tiny-bert", truncate(func(_, _ int64) int64 { return 4 })},
		{"truncated inside the header", "tiny-bert", truncate(func(h, _ int64) int64 { return 8 + h/2 })},
		{"truncated inside the data", "tiny-bert", truncate(func(h, total int64) int64 { return 8 + h + (total-8-h)/2 })},
		{"truncated to nothing", "tiny-bert", truncate(func(_, _ int64) int64 { return 0 })},
		{"header length past the end", "tiny-bert", func(t *testing.T, dir string) []string {
			raw, err := os.ReadFile(st(dir))
			if err != nil {
				t.Fatal(err)
			}
			binary.LittleEndian.PutUint64(raw[:8], 1<<40)
			if err := os.WriteFile(st(dir), raw, 0o644); err != nil {
				t.Fatal(err)
			}
			return []string{"model.safetensors"}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyModel(t, filepath.Join(models, tc.model))
			want := tc.breakIt(t, dir)
			m, err := LoadDir(dir, Options{})
			if err == nil {
				m.Close()
				t.Fatal("the broken model loaded; want an error")
			}
			t.Logf("%v", err)
			for _, w := range want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q", w)
				}
			}
		})
	}
}

// TestWeightsWithoutPooler loads a BERT checkpoint without pooler tensors: the pooler is
// optional, so the model loads and reports that it has none.
func TestWeightsWithoutPooler(t *testing.T) {
	dir := copyModel(t, filepath.Join(golden.Dir(), "models", "tiny-bert"))
	path := filepath.Join(dir, "model.safetensors")
	tensors := readSafetensorsFile(t, path)
	delete(tensors, "pooler.dense.weight")
	delete(tensors, "pooler.dense.bias")
	writeSafetensorsFile(t, path, tensors)
	m := loadModel(t, dir, Options{})
	if m.HasPooler() {
		t.Fatal("HasPooler() = true for a checkpoint without pooler tensors")
	}
}
