package bert

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

const bertConfig = `{"model_type":"bert","hidden_size":32,"num_hidden_layers":2,"num_attention_heads":4,
"intermediate_size":64,"vocab_size":100,"max_position_embeddings":64,"type_vocab_size":2,"layer_norm_eps":1e-12,
"hidden_act":"gelu","pad_token_id":0,"id2label":{"0":"neg","1":"pos"},"label2id":{"neg":0,"pos":1},
"problem_type":"single_label_classification"}`

const distilConfig = `{"model_type":"distilbert","dim":32,"n_layers":2,"n_heads":4,"hidden_dim":64,"vocab_size":100,
"max_position_embeddings":64,"activation":"gelu","sinusoidal_pos_embds":false,"pad_token_id":0}`

func TestConfigRoundTrip(t *testing.T) {
	for _, tc := range []struct{ name, json string }{{"bert", bertConfig}, {"distilbert", distilConfig}} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := FromHFConfig("config.json", []byte(tc.json))
			if err != nil {
				t.Fatal(err)
			}
			data, err := json.Marshal(c.ToHFConfig())
			if err != nil {
				t.Fatal(err)
			}
			back, err := FromHFConfig("round-trip", data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c, back) {
				t.Fatalf("round trip changed the config:\n%+v\n%+v", c, back)
			}
		})
	}
}

func TestConfigFields(t *testing.T) {
	c, err := FromHFConfig("config.json", []byte(distilConfig))
	if err != nil {
		t.Fatal(err)
	}
	if c.Arch != ArchDistilBERT || c.HiddenSize != 32 || c.IntermediateSize != 64 || c.NumHiddenLayers != 2 || c.LayerNormEps != 1e-12 {
		t.Fatalf("distilbert fields mapped wrongly: %+v", c)
	}
}

func TestConfigErrorsNameFileAndField(t *testing.T) {
	edit := func(base string, f func(m map[string]any)) string {
		var m map[string]any
		if err := json.Unmarshal([]byte(base), &m); err != nil {
			panic(err)
		}
		f(m)
		b, _ := json.Marshal(m)
		return string(b)
	}
	cases := []struct {
		name, json string
		want       []string
	}{
		{"not json", `{`, []string{"models/x/config.json", "not a JSON object"}},
		{"heads do not divide", edit(bertConfig, func(m map[string]any) { m["num_attention_heads"] = 5 }), []string{`"num_attention_heads"`, "do not divide"}},
		{"unknown activation", edit(bertConfig, func(m map[string]any) { m["hidden_act"] = "mish" }), []string{`"hidden_act"`, "unknown activation"}},
		{"missing field", edit(bertConfig, func(m map[string]any) { delete(m, "vocab_size") }), []string{`"vocab_size"`, "missing"}},
		{"wrong type", edit(bertConfig, func(m map[string]any) { m["hidden_size"] = "32" }), []string{`"hidden_size"`, "want an integer"}},
		{"fractional", edit(bertConfig, func(m map[string]any) { m["hidden_size"] = 32.5 }), []string{`"hidden_size"`, "want an integer"}},
		{"too large", edit(bertConfig, func(m map[string]any) { m["max_position_embeddings"] = 1000000000000 }),
			[]string{`"max_position_embeddings"`, "1000000000000 is out of range (want -2147483648 to 2147483648)"}},
		{"distil wrong type", edit(distilConfig, func(m map[string]any) { m["sinusoidal_pos_embds"] = "no" }), []string{`"sinusoidal_pos_embds"`}},
		{"distil unknown activation", edit(distilConfig, func(m map[string]any) { m["activation"] = "tanh" }), []string{`"activation"`}},
		{"unsupported model", edit(bertConfig, func(m map[string]any) { m["model_type"] = "gpt2" }), []string{`"model_type"`, "gpt2"}},
		{"bad problem type", edit(bertConfig, func(m map[string]any) { m["problem_type"] = "ranking" }), []string{`"problem_type"`}},
		{"label maps disagree", edit(bertConfig, func(m map[string]any) { m["label2id"] = map[string]int{"neg": 1, "pos": 0} }), []string{`"label2id"`}},
		{"relative positions", edit(bertConfig, func(m map[string]any) { m["position_embedding_type"] = "relative_key" }), []string{`"position_embedding_type"`}},
		{"two problems at once", edit(bertConfig, func(m map[string]any) { delete(m, "vocab_size"); m["hidden_act"] = "mish" }), []string{`"vocab_size"`, `"hidden_act"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromHFConfig("models/x/config.json", []byte(tc.json))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range append(tc.want, "models/x/config.json") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestCanonicalNames(t *testing.T) {
	for in, want := range map[string]string{
		"bert.embeddings.LayerNorm.gamma":                 "embeddings.LayerNorm.weight",
		"embeddings.LayerNorm.beta":                       "embeddings.LayerNorm.bias",
		"distilbert.transformer.layer.0.ffn.lin1.weight":  "transformer.layer.0.ffn.lin1.weight",
		"encoder.layers.3.attention.query_proj.weight":    "encoder.layer.3.attention.self.query.weight",
		"encoder.layers.3.ln2.bias":                       "encoder.layer.3.output.LayerNorm.bias",
		"encoder.layers.0.linear1.weight":                 "encoder.layer.0.intermediate.dense.weight",
		"embeddings.norm.weight":                          "embeddings.LayerNorm.weight",
		"pooler.weight":                                   "pooler.dense.weight",
		"roberta.encoder.layer.1.attention.self.key.bias": "encoder.layer.1.attention.self.key.bias",
		"classifier.weight":                               "classifier.weight",
	} {
		if got, ok := canonicalName(in); !ok || got != want {
			t.Errorf("canonicalName(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, ignored := range []string{"bert.embeddings.position_ids", "cls.predictions.bias", "vocab_projector.weight"} {
		if _, ok := canonicalName(ignored); ok {
			t.Errorf("%q should be ignored", ignored)
		}
	}
}
