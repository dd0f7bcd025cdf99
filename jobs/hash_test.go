package jobs

import (
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"testing"
)

const minimalJob = "model: {ref: org/m}\ninput: {paths: [d]}\noutput: {dir: o}\n"

// TestHashCanonicalForm pins the hashed text of a minimal job, written out by hand from the documented form, so
// that any change to what the hash covers is deliberate (and bumps hashVersion).
func TestHashCanonicalForm(t *testing.T) {
	const canonical = `bertbatch-job v2
model.ref="org/m"
model.revision="main"
model.dtype="float32"
model.device="cpu"
model.head=""
input.input_ids_column="input_ids"
input.attention_mask_column="attention_mask"
input.token_type_ids_column="token_type_ids"
input.text_column=""
input.text_pair_column=""
input.prompt_name=""
input.prompt=null
input.passthrough=[]
output.embedding_column="embedding"
output.pooling="model"
output.normalize="model"
output.truncate_dims=0
output.dtype="float32"
output.write_token_ids=false
batching.max_length=0
batching.too_long="truncate"
bad_rows="fail"
`
	sum := sha256.Sum256([]byte(canonical))
	if got, want := mustParse(t, minimalJob).Hash(), hex.EncodeToString(sum[:]); got != want {
		t.Errorf("Hash() = %s, want sha256 of the documented text %s", got, want)
	}
}

// TestHashCoversOutputFields changes every field in turn: fields that change output rows must change the hash,
// the others (tagged hash:"-") must not.
func TestHashCoversOutputFields(t *testing.T) {
	base := mustParse(t, minimalJob)
	baseHash := base.Hash()
	var walk func(v reflect.Value, prefix string)
	walk = func(v reflect.Value, prefix string) {
		for _, s := range fieldsOf(v.Type()) {
			path, f := joinPath(prefix, s.name), v.Field(s.index)
			if f.Kind() == reflect.Struct {
				walk(f, path)
				continue
			}
			saved := reflect.ValueOf(f.Interface())
			mutate(f)
			if changed := base.Hash() != baseHash; changed != s.hashed {
				t.Errorf("%s: hash changed = %v, want %v", path, changed, s.hashed)
			}
			f.Set(saved)
		}
	}
	walk(reflect.ValueOf(base).Elem(), "")
	if base.Hash() != baseHash {
		t.Fatal("restoring the fields did not restore the hash")
	}
}

func mutate(f reflect.Value) {
	switch f.Kind() {
	case reflect.Pointer:
		v := reflect.New(f.Type().Elem())
		if !f.IsNil() {
			v.Elem().Set(f.Elem())
			mutate(v.Elem())
		}
		f.Set(v)
	case reflect.String:
		f.SetString(f.String() + "x")
	case reflect.Int:
		f.SetInt(f.Int() + 1)
	case reflect.Bool:
		f.SetBool(!f.Bool())
	case reflect.Slice:
		f.Set(reflect.Append(f, reflect.ValueOf("x")))
	}
}

// TestHashPrompt checks that the three ways of choosing a prompt hash apart: the model's default (neither field),
// no prompt at all (prompt: ""), and a named prompt.
func TestHashPrompt(t *testing.T) {
	jobs := map[string]string{
		"default":   "model: {ref: org/m}\ninput: {paths: [d], text_column: t}\noutput: {dir: o}\n",
		"none":      "model: {ref: org/m}\ninput: {paths: [d], text_column: t, prompt: \"\"}\noutput: {dir: o}\n",
		"named":     "model: {ref: org/m}\ninput: {paths: [d], text_column: t, prompt_name: query}\noutput: {dir: o}\n",
		"literal":   "model: {ref: org/m}\ninput: {paths: [d], text_column: t, prompt: query}\noutput: {dir: o}\n",
		"two lines": "model: {ref: org/m}\ninput: {paths: [d], text_column: t, prompt: \"q\\ny\"}\noutput: {dir: o}\n",
	}
	seen := map[string]string{}
	for name, src := range jobs {
		t.Run(name, func(t *testing.T) {
			h := mustParse(t, src).Hash()
			if other, dup := seen[h]; dup {
				t.Errorf("hashes the same as %s", other)
			}
			seen[h] = name
		})
	}
}

// TestHashIgnoresSpelling checks that jobs meaning the same thing hash the same however they are written.
func TestHashIgnoresSpelling(t *testing.T) {
	want := mustParse(t, "model: {ref: ./m}\ninput: {paths: [d], passthrough: [id]}\noutput: {dir: o}\n").Hash()
	same := map[string]string{
		"block style, comments, other order": "# nightly\noutput:\n  dir: o\ninput:\n  passthrough: [id]\n  paths:\n    - d\nmodel:\n  ref: ./m # here\n",
		"defaults written out": "model: {ref: ./m, dtype: float32, device: cpu, head: \"\"}\n" +
			"input: {paths: [d], passthrough: [id], input_ids_column: input_ids}\n" +
			"output: {dir: o, pooling: model, normalize: model, truncate_dims: 0}\nbatching: {max_length: 0}\nbad_rows: fail\n",
		"absolute folder":    "model: {ref: /jobs/m}\ninput: {paths: [d], passthrough: [id]}\noutput: {dir: o}\n",
		"folder through env": "model: {ref: $HOME/../../jobs/m}\ninput: {paths: [d], passthrough: [id]}\noutput: {dir: o}\n",
		"unhashed fields changed": "model: {ref: ./m}\ninput: {paths: [e, f], passthrough: [id], format: parquet}\n" +
			"output: {dir: p, compression: none, rows_per_file: 10}\nbatching: {max_tokens: 99, sort_window: 1}\n" +
			"workers: 4\nmode: overwrite\n",
	}
	for name, src := range same {
		if got := mustParse(t, src).Hash(); got != want {
			t.Errorf("%s: hash %s, want %s", name, got, want)
		}
	}
}
